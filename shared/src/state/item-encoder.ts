import type { CatalogItem } from '../events/contract';
import { bucketOf, fnv1a } from './feature-hash';

/**
 * The item tower's input, version 2: the item's numeric features (padded or cut to
 * ITEM_FEATURE_SLOTS), a one-hot of its hashed category, log price, and, in the last slot, the item's
 * identity as a 24-bit hash of its id (exact in float32). The Q-network reads the identity slot as an
 * index into its per-item embedding table (hash mod the table size), never as a number; everything
 * before it (ITEM_FEATURES_DIM floats) is a dense feature. Pure and deterministic, so actors, joiners and
 * learners encode an item identically.
 */
export const ITEM_FEATURE_SLOTS = 16;
export const CATEGORY_BUCKETS = 16;
/** Dense features of an item: numeric features, category one-hot, log price. */
export const ITEM_FEATURES_DIM = ITEM_FEATURE_SLOTS + CATEGORY_BUCKETS + 1;
/** The encoded item: its dense features, then its identity hash. */
export const ITEM_DIM = ITEM_FEATURES_DIM + 1;
/** Index of the identity slot in an encoded item. */
export const ITEM_ID_SLOT = ITEM_FEATURES_DIM;
/** Range of the identity hash: 2^24, the largest power of two float32 holds exactly. */
export const ITEM_ID_HASH_RANGE = 1 << 24;

/** The 24-bit identity hash of an item id (the table row is this modulo the table size, a power of two). */
export function itemIdHash(itemId: string): number {
  return fnv1a(itemId) & (ITEM_ID_HASH_RANGE - 1);
}

/**
 * The row of a per-item table of `buckets` rows (a power of two) that an item with identity hash
 * `identity` (itemIdHash, or an encoded item's identity slot) reads: the one place that mapping is written.
 */
export function itemIdRow(identity: number, buckets: number): number {
  return identity & (buckets - 1);
}

export function encodeItem(item: CatalogItem, out: Float32Array = new Float32Array(ITEM_DIM), offset = 0): Float32Array {
  out.fill(0, offset, offset + ITEM_DIM);
  const slots = Math.min(item.features.length, ITEM_FEATURE_SLOTS);
  for (let index = 0; index < slots; index += 1) out[offset + index] = item.features[index];
  out[offset + ITEM_FEATURE_SLOTS + bucketOf(item.category, CATEGORY_BUCKETS)] = 1;
  out[offset + ITEM_FEATURE_SLOTS + CATEGORY_BUCKETS] = Math.log1p(Math.max(0, item.price)) / 5;
  out[offset + ITEM_ID_SLOT] = itemIdHash(item.itemId);
  return out;
}
