/**
 * Records the services exchange among themselves (not part of the public contract). They mirror
 * Transition.avsc, ModelUpdate.avsc, ModelWeights.avsc and ModelWeightsDelta.avsc; vectors travel as little-endian float32 bytes.
 */

export interface Transition {
  /** requestId/itemId: the duplicate-drop key. */
  transitionId: string;
  userId: string;
  requestId: string;
  itemId: string;
  position: number;
  /** The state encoder version that built state and nextState. */
  encoderVersion: number;
  state: Buffer;
  itemFeatures: Buffer;
  reward: number;
  /** null when done. */
  nextState: Buffer | null;
  done: boolean;
  /** The user's next request, whose state is nextState; null when done (links a user's steps for n-step returns). */
  nextRequestId: string | null;
  /** Mean reward per emitted item of this request's slate (the later steps' reward in n-step returns); null from older joiners. */
  slateReward: number | null;
  propensity: number;
  modelVersion: number;
  requestTimestamp: number;
  /** Newest feedback folded into reward, for freshness; null when there was none. */
  lastFeedbackTimestamp: number | null;
  emittedAt: number;
}

export interface ModelUpdate {
  updateId: string;
  modelId: string;
  learnerId: string;
  /** The weights version the gradient was computed on. */
  baseVersion: number;
  layoutHash: string;
  gradients: Buffer;
  /** CRC-32 of gradients. */
  checksum: number;
  batchSize: number;
  tdLoss: number;
  meanQ: number;
  newestSampleTimestamp: number | null;
  timestamp: number;
  /** DENSE: the flat gradient; SPARSE_ROWS: per-item tables as their non-zero rows (packRowSparse). */
  gradientEncoding: GradientEncoding;
  /** The learner's own count of the updates it sent; -1 from learners that do not look ahead. */
  sequence: number;
}

export const GRADIENT_ENCODINGS = ['DENSE', 'SPARSE_ROWS'] as const;
export type GradientEncoding = (typeof GRADIENT_ENCODINGS)[number];

export const WEIGHTS_ROLES = ['ONLINE', 'TARGET'] as const;
export type WeightsRole = (typeof WEIGHTS_ROLES)[number];

export interface ModelWeights {
  modelId: string;
  role: WeightsRole;
  version: number;
  layoutHash: string;
  values: Buffer;
  /** CRC-32 of values. */
  checksum: number;
  newestSampleTimestamp: number | null;
  publishedAt: number;
  /** ONLINE: per learnerId, the sequence of its newest update this version has processed (applied or dropped). */
  learnerProgress: Record<string, number>;
}

/**
 * One network's weights as a delta against a full ModelWeights record of the same role (its base): the
 * dense parameters whole and only the per-item table rows that differ from the base (weights-delta.ts).
 */
export interface ModelWeightsDelta extends ModelWeights {
  /** The version of the full record this delta applies to. */
  baseVersion: number;
  /** The checksum of that full record's values. */
  baseChecksum: number;
  /** CRC-32 of the reconstructed flat weights: what a full record of this version would carry. */
  weightsChecksum: number;
}
