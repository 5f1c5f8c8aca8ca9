import type { CatalogItem } from '../events/contract';
import { bucketOf } from './feature-hash';

/**
 * The item tower's input, version 1: the item's numeric features (padded or cut to
 * ITEM_FEATURE_SLOTS), a one-hot of its hashed category, and log price. Pure and deterministic, so
 * actors, joiners and learners encode an item identically.
 */
export const ITEM_FEATURE_SLOTS = 16;
export const CATEGORY_BUCKETS = 16;
export const ITEM_DIM = ITEM_FEATURE_SLOTS + CATEGORY_BUCKETS + 1;

export function encodeItem(item: CatalogItem, out: Float32Array = new Float32Array(ITEM_DIM), offset = 0): Float32Array {
  out.fill(0, offset, offset + ITEM_DIM);
  const slots = Math.min(item.features.length, ITEM_FEATURE_SLOTS);
  for (let index = 0; index < slots; index += 1) out[offset + index] = item.features[index];
  out[offset + ITEM_FEATURE_SLOTS + bucketOf(item.category, CATEGORY_BUCKETS)] = 1;
  out[offset + ITEM_FEATURE_SLOTS + CATEGORY_BUCKETS] = Math.log1p(Math.max(0, item.price)) / 5;
  return out;
}
