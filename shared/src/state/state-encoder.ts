import type { FeedbackType, RecommendationRequest } from '../events/contract';
import { bucketOf } from './feature-hash';
import { ITEM_FEATURES_DIM } from './item-encoder';

/**
 * The one shared, versioned state encoder (README, How it learns). The actor builds the state with it at
 * serving time and records it; the joiner puts that very vector in the transition, so training and
 * serving never disagree. Bump ENCODER_VERSION on any change to the layout below.
 *
 * Layout (STATE_DIM floats):
 *   [0, I)        recency-weighted mean of items the user engaged with (click 1, cart 2, purchase 3)
 *   [I, 2I)       recency-weighted mean of items the user was shown (exposure, for satiation)
 * (each over the newest HISTORY_LENGTH of its kind; version 2 stopped impressions crowding out engagements)
 *   2I .. 2I+2    log1p(#engagements), log1p(#impressions), freshness of the last interaction
 *   4 time        hour of day and day of week as sin/cos
 *   5 surface     one-hot: home, product, cart, search, other
 *   I + 1 context the viewed item's features and a presence flag (related-item recommendations)
 *   8 attributes  hashed "key=value" buckets of the request attributes
 * where I = ITEM_FEATURES_DIM: an item's dense features (its identity slot is never part of a state).
 */
export const ENCODER_VERSION = 2;
export const SURFACES = ['home', 'product', 'cart', 'search'] as const;
export const ATTRIBUTE_BUCKETS = 8;
/** Engagements, and separately impressions, kept per user (Redis list caps) and read per request. */
export const HISTORY_LENGTH = 50;
/** Weight of each newer interaction relative to the next older one. */
const RECENCY_DECAY = 0.9;
const ENGAGEMENT_WEIGHT: Record<FeedbackType, number> = { IMPRESSION: 0, CLICK: 1, ADD_TO_CART: 2, PURCHASE: 3 };
const FRESHNESS_MS = 30 * 60_000;

const OFFSETS = (() => {
  const engaged = 0;
  const exposed = engaged + ITEM_FEATURES_DIM;
  const counts = exposed + ITEM_FEATURES_DIM;
  const time = counts + 3;
  const surface = time + 4;
  const context = surface + SURFACES.length + 1;
  const attributes = context + ITEM_FEATURES_DIM + 1;
  return { engaged, exposed, counts, time, surface, context, attributes, end: attributes + ATTRIBUTE_BUCKETS };
})();

export const STATE_DIM = OFFSETS.end;
/** Where each segment of the state starts (for naming features in explanations). */
export const STATE_OFFSETS: Readonly<typeof OFFSETS> = OFFSETS;

/**
 * Where the state holds item-feature blocks (ITEM_FEATURES_DIM floats each, in the item features' own
 * units): the engaged mean, the exposed mean and the viewed item. The Q-network normalises these blocks
 * with the item features' statistics.
 */
export const STATE_ITEM_BLOCKS: readonly number[] = [OFFSETS.engaged, OFFSETS.exposed, OFFSETS.context];

/** One interaction in a user's history, newest first in Redis. */
export interface HistoryEntry {
  itemId: string;
  type: FeedbackType;
  timestamp: number;
}

/** Looks up an encoded item (ITEM_DIM floats, see encodeItem); undefined for an item not in the catalog. */
export type ItemVectorLookup = (itemId: string) => Float32Array | undefined;

/** Builds the state of one request into `out` at `offset` (STATE_DIM floats). */
export function encodeState(
  request: Pick<RecommendationRequest, 'timestamp' | 'surface' | 'contextItemId' | 'attributes'>,
  history: readonly HistoryEntry[],
  itemVector: ItemVectorLookup,
  out: Float32Array = new Float32Array(STATE_DIM),
  offset = 0,
): Float32Array {
  out.fill(0, offset, offset + STATE_DIM);
  let engagedWeight = 0;
  let exposedWeight = 0;
  let engagements = 0;
  let impressions = 0;
  // Recency decays within each kind: the 3rd newest click weighs the same however many impressions came between.
  let engagedRecency = 1;
  let exposedRecency = 1;
  for (const entry of history) {
    const engagement = ENGAGEMENT_WEIGHT[entry.type];
    if (engagement > 0 ? engagements >= HISTORY_LENGTH : impressions >= HISTORY_LENGTH) continue;
    const vector = itemVector(entry.itemId);
    if (engagement > 0) {
      engagements += 1;
      if (vector !== undefined) {
        const weight = engagedRecency * engagement;
        for (let index = 0; index < ITEM_FEATURES_DIM; index += 1) out[offset + OFFSETS.engaged + index] += weight * vector[index];
        engagedWeight += weight;
      }
      engagedRecency *= RECENCY_DECAY;
    } else {
      impressions += 1;
      if (vector !== undefined) {
        for (let index = 0; index < ITEM_FEATURES_DIM; index += 1) out[offset + OFFSETS.exposed + index] += exposedRecency * vector[index];
        exposedWeight += exposedRecency;
      }
      exposedRecency *= RECENCY_DECAY;
    }
  }
  normalise(out, offset + OFFSETS.engaged, engagedWeight);
  normalise(out, offset + OFFSETS.exposed, exposedWeight);

  out[offset + OFFSETS.counts] = Math.log1p(engagements) / 4;
  out[offset + OFFSETS.counts + 1] = Math.log1p(impressions) / 4;
  const newest = history[0]?.timestamp;
  out[offset + OFFSETS.counts + 2] = newest === undefined ? 0 : Math.exp(-Math.max(0, request.timestamp - newest) / FRESHNESS_MS);

  const date = new Date(request.timestamp);
  const hour = (date.getUTCHours() + date.getUTCMinutes() / 60) / 24;
  const day = date.getUTCDay() / 7;
  out[offset + OFFSETS.time] = Math.sin(2 * Math.PI * hour);
  out[offset + OFFSETS.time + 1] = Math.cos(2 * Math.PI * hour);
  out[offset + OFFSETS.time + 2] = Math.sin(2 * Math.PI * day);
  out[offset + OFFSETS.time + 3] = Math.cos(2 * Math.PI * day);

  const surfaceIndex = (SURFACES as readonly string[]).indexOf(request.surface);
  out[offset + OFFSETS.surface + (surfaceIndex < 0 ? SURFACES.length : surfaceIndex)] = 1;

  const context = request.contextItemId === null ? undefined : itemVector(request.contextItemId);
  if (context !== undefined) {
    out.set(context.subarray(0, ITEM_FEATURES_DIM), offset + OFFSETS.context);
    out[offset + OFFSETS.context + ITEM_FEATURES_DIM] = 1;
  }

  for (const [key, value] of Object.entries(request.attributes)) {
    out[offset + OFFSETS.attributes + bucketOf(`${key}=${value}`, ATTRIBUTE_BUCKETS)] += 1;
  }
  return out;
}

function normalise(values: Float32Array, start: number, total: number): void {
  if (total <= 0) return;
  for (let index = start; index < start + ITEM_FEATURES_DIM; index += 1) values[index] /= total;
}
