import { ValidationError } from '../errors/errors';
import type { ModelUpdate, ModelWeights, ModelWeightsDelta, WeightsRole } from '../events/internal';
import { allFinite, bytesToFloats, checksumOf, floatsToBytes } from '../util/float-bytes';
import type { Parameter } from './row-sparse-format';
import { unpackRowSparse } from './row-sparse-gradient';
import { applyWeightsDelta } from './weights-delta';

/** The key of a weights record on the compacted topic: one live record per model and role. */
export function weightsKey(modelId: string, role: WeightsRole): string {
  return `${modelId}/${role}`;
}

/**
 * The key of a role's delta records, beside its full records on the same (one-partition) topic: compaction
 * keeps the newest full record and the newest delta, and a delta names the full record it applies to.
 */
export function weightsDeltaKey(modelId: string, role: WeightsRole): string {
  return `${weightsKey(modelId, role)}/delta`;
}

/** What one publish of a role's weights says. */
export interface WeightsPublishFields {
  modelId: string;
  role: WeightsRole;
  version: number;
  layoutHash: string;
  values: Float32Array;
  newestSampleTimestamp: number | null;
  learnerProgress?: Record<string, number>;
}

export function buildWeightsRecord(fields: WeightsPublishFields): ModelWeights {
  const bytes = Buffer.from(floatsToBytes(fields.values));
  return { ...fields, values: bytes, checksum: checksumOf(bytes), publishedAt: Date.now(), learnerProgress: fields.learnerProgress ?? {} };
}

/**
 * Checks a float payload before anyone uses it: the layout it was built for, its checksum, and that it
 * holds no NaN or Infinity. Throws a ValidationError whose reason is the metric label.
 */
export function verifiedFloats(payload: Buffer, checksum: number, layoutHash: string, expectedLayoutHash: string): Float32Array {
  if (layoutHash !== expectedLayoutHash) {
    throw new ValidationError(`layout ${layoutHash} does not match this model's ${expectedLayoutHash}`, 'layout-mismatch');
  }
  if (checksumOf(payload) !== checksum) throw new ValidationError('payload fails its checksum', 'bad-checksum');
  const values = bytesToFloats(payload);
  if (!allFinite(values)) throw new ValidationError('payload holds NaN or Infinity', 'not-finite');
  return values;
}

export function verifiedWeights(record: ModelWeights, expectedLayoutHash: string): Float32Array {
  return verifiedFloats(record.values, record.checksum, record.layoutHash, expectedLayoutHash);
}

/** The update's flat gradient, verified (layout, checksum, finite) and unpacked when it travelled row-sparse. */
export function verifiedGradients(update: ModelUpdate, expectedLayoutHash: string, layout: readonly { name: string; shape: number[] }[]): Float32Array {
  const values = verifiedFloats(update.gradients, update.checksum, update.layoutHash, expectedLayoutHash);
  return update.gradientEncoding === 'SPARSE_ROWS' ? unpackRowSparse(values, layout) : values;
}

/** A full weights record a reader holds, against which it can apply deltas. */
export interface WeightsBase {
  version: number;
  /** The full record's checksum (CRC-32 of its values). */
  checksum: number;
  values: Float32Array;
}

/**
 * The weights a delta record describes, verified: the delta's own payload (layout, checksum, finite), that
 * `base` is exactly the full record it names (version and checksum; else a ValidationError with reason
 * `base-not-held`), and that the reconstruction carries the checksum the parameter server computed over
 * the weights it meant (`bad-reconstruction`).
 */
export function weightsFromDelta(record: ModelWeightsDelta, base: WeightsBase | null, expectedLayoutHash: string, layout: readonly Parameter[]): Float32Array {
  const packed = verifiedFloats(record.values, record.checksum, record.layoutHash, expectedLayoutHash);
  if (base === null || base.version !== record.baseVersion || base.checksum !== record.baseChecksum) {
    const held = base === null ? 'none' : `${base.version} (checksum ${base.checksum})`;
    throw new ValidationError(`delta of version ${record.version} applies to full version ${record.baseVersion} (checksum ${record.baseChecksum}); held: ${held}`, 'base-not-held');
  }
  const values = applyWeightsDelta(base.values, packed, layout);
  if (checksumOf(floatsToBytes(values)) !== record.weightsChecksum) throw new ValidationError(`delta of version ${record.version} does not reconstruct the weights it was built from`, 'bad-reconstruction');
  return values;
}
