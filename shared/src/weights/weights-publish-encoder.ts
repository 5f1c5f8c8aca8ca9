import { codecs } from '../avro/codecs';
import type { ModelWeightsDelta } from '../events/internal';
import { checksumOf, floatsToBytes } from '../util/float-bytes';
import type { Parameter } from './row-sparse-format';
import { buildWeightsDelta, deltaRowCount } from './weights-delta';
import { buildWeightsRecord, weightsDeltaKey, weightsKey, type WeightsBase, type WeightsPublishFields } from './weights-payload';


/** One publish, encoded: the key and bytes to send, and `sent()` to call once the broker has acknowledged them. */
export interface EncodedWeightsPublish {
  kind: 'full' | 'delta';
  key: string;
  value: Buffer;
  publishedAt: number;
  /** Delta: the table rows it carries (changed since its base); full: null. */
  changedRows: number | null;
  /** Delta: the version of the full record it applies to; full: null. */
  baseVersion: number | null;
  sent(): void;
}

/**
 * Encodes each publish of one role's weights for the compacted weights topic: a full ModelWeights record
 * at the first publish, every `fullEvery`-th publish after it, and whenever a delta would be no smaller;
 * in between a ModelWeightsDelta against the newest full record the broker acknowledged, carrying the dense
 * parameters and the per-item table rows changed since that record. Deltas are cumulative (each names the
 * same base until the next full record), so a reader needs only the newest full record and the newest
 * delta, which is what compaction keeps. `fullEvery` 1 publishes only full records.
 */
export class WeightsPublishEncoder {
  private base: WeightsBase | null = null;
  private deltasSinceBase = 0;

  constructor(
    private readonly layout: readonly Parameter[],
    private readonly fullEvery: number,
  ) {
    if (!Number.isInteger(fullEvery) || fullEvery < 1) throw new RangeError(`fullEvery must be a positive integer, got ${fullEvery}`);
  }

  encode(fields: WeightsPublishFields): EncodedWeightsPublish {
    const { base } = this;
    if (base !== null && this.deltasSinceBase + 1 < this.fullEvery) {
      const packed = buildWeightsDelta(base.values, fields.values, this.layout);
      if (packed.length < fields.values.length) return this.delta(fields, base, packed);
    }
    return this.full(fields);
  }

  private full(fields: WeightsPublishFields): EncodedWeightsPublish {
    const record = buildWeightsRecord(fields);
    const values = Float32Array.from(fields.values);
    return {
      kind: 'full',
      key: weightsKey(fields.modelId, fields.role),
      value: codecs.modelWeights.encode(record),
      publishedAt: record.publishedAt,
      changedRows: null,
      baseVersion: null,
      sent: () => {
        this.base = { version: record.version, checksum: record.checksum, values };
        this.deltasSinceBase = 0;
      },
    };
  }

  private delta(fields: WeightsPublishFields, base: WeightsBase, packed: Float32Array): EncodedWeightsPublish {
    const bytes = Buffer.from(floatsToBytes(packed));
    const record: ModelWeightsDelta = {
      modelId: fields.modelId,
      role: fields.role,
      version: fields.version,
      layoutHash: fields.layoutHash,
      values: bytes,
      checksum: checksumOf(bytes),
      newestSampleTimestamp: fields.newestSampleTimestamp,
      publishedAt: Date.now(),
      learnerProgress: fields.learnerProgress ?? {},
      baseVersion: base.version,
      baseChecksum: base.checksum,
      weightsChecksum: checksumOf(floatsToBytes(fields.values)),
    };
    return {
      kind: 'delta',
      key: weightsDeltaKey(fields.modelId, fields.role),
      value: codecs.modelWeightsDelta.encode(record),
      publishedAt: record.publishedAt,
      changedRows: deltaRowCount(packed, this.layout),
      baseVersion: base.version,
      sent: () => {
        this.deltasSinceBase += 1;
      },
    };
  }
}
