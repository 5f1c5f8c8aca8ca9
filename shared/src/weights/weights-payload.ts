import { ValidationError } from '../errors/errors';
import type { ModelUpdate, ModelWeights, WeightsRole } from '../events/internal';
import { allFinite, bytesToFloats, checksumOf, floatsToBytes } from '../util/float-bytes';
import { unpackRowSparse } from './row-sparse-gradient';

/** The key of a weights record on the compacted topic: one live record per model and role. */
export function weightsKey(modelId: string, role: WeightsRole): string {
  return `${modelId}/${role}`;
}

export function buildWeightsRecord(fields: {
  modelId: string;
  role: WeightsRole;
  version: number;
  layoutHash: string;
  values: Float32Array;
  newestSampleTimestamp: number | null;
  learnerProgress?: Record<string, number>;
}): ModelWeights {
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
