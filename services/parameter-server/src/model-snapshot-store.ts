import { bytesToFloats, floatsToBytes, type Redis, type RedisKeys } from '@rec/shared';
import type { OptimizerState } from '@rec/shared/model';

/** Everything the parameter server needs to resume exactly where it was. */
export interface ModelSnapshot {
  version: number;
  targetVersion: number;
  layoutHash: string;
  online: Float32Array;
  target: Float32Array;
  optimizer: OptimizerState;
  newestSampleTimestamp: number | null;
  /**
   * Per partition of model.updates.v1, the offset of the next update to apply: the updates this state
   * already holds end there. Null in snapshots written before offsets were kept.
   */
  updateOffsets: Map<number, number> | null;
  /** Per learnerId, the newest update sequence processed; null in snapshots written before it was kept. */
  learnerProgress: Map<string, number> | null;
}

/**
 * Snapshots of the parameter server in one Redis hash per model, written with one HSET (atomic): the
 * version, both networks' weights and Adam's slots as float32 bytes, a JSON index of the slots, and the
 * update offsets the state reaches.
 */
export class ModelSnapshotStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly modelId: string,
  ) {}

  async save(snapshot: ModelSnapshot): Promise<void> {
    const slotIndex = snapshot.optimizer.slots.map(({ name, shape, values }) => ({ name, shape, length: values.length }));
    const slotValues = new Float32Array(slotIndex.reduce((sum, slot) => sum + slot.length, 0));
    let offset = 0;
    for (const slot of snapshot.optimizer.slots) {
      slotValues.set(slot.values, offset);
      offset += slot.values.length;
    }
    await this.redis.hset(this.keys.modelSnapshot(this.modelId), {
      version: String(snapshot.version),
      targetVersion: String(snapshot.targetVersion),
      layoutHash: snapshot.layoutHash,
      newestSampleTimestamp: String(snapshot.newestSampleTimestamp ?? ''),
      online: floatsToBytes(snapshot.online),
      target: floatsToBytes(snapshot.target),
      slotIndex: JSON.stringify(slotIndex),
      slotValues: floatsToBytes(slotValues),
      updateOffsets: JSON.stringify(Object.fromEntries(snapshot.updateOffsets ?? [])),
      learnerProgress: JSON.stringify(Object.fromEntries(snapshot.learnerProgress ?? [])),
    });
  }

  async load(): Promise<ModelSnapshot | null> {
    const hash = await this.redis.hgetallBuffer(this.keys.modelSnapshot(this.modelId));
    if (hash.version === undefined) return null;
    const slotIndex = JSON.parse(hash.slotIndex.toString('utf8')) as { name: string; shape: number[]; length: number }[];
    const slotValues = bytesToFloats(hash.slotValues);
    let offset = 0;
    const slots = slotIndex.map(({ name, shape, length }) => {
      const values = slotValues.subarray(offset, offset + length);
      offset += length;
      return { name, shape, values };
    });
    const newest = hash.newestSampleTimestamp.toString('utf8');
    return {
      version: Number(hash.version.toString('utf8')),
      targetVersion: Number(hash.targetVersion.toString('utf8')),
      layoutHash: hash.layoutHash.toString('utf8'),
      online: bytesToFloats(hash.online),
      target: bytesToFloats(hash.target),
      optimizer: { slots },
      newestSampleTimestamp: newest === '' ? null : Number(newest),
      updateOffsets:
        hash.updateOffsets === undefined
          ? null
          : new Map(Object.entries(JSON.parse(hash.updateOffsets.toString('utf8')) as Record<string, number>).map(([partition, offset]) => [Number(partition), offset])),
      learnerProgress: hash.learnerProgress === undefined ? null : new Map(Object.entries(JSON.parse(hash.learnerProgress.toString('utf8')) as Record<string, number>)),
    };
  }
}
