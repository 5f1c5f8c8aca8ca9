import { CATEGORY_BUCKETS, ITEM_DIM, ITEM_FEATURES_DIM, ITEM_FEATURE_SLOTS } from './item-encoder';
import { ATTRIBUTE_BUCKETS, STATE_DIM, STATE_OFFSETS, SURFACES } from './state-encoder';

/** The item's dense features (ITEM_FEATURES_DIM), as the item encoder fills them. */
function denseItemFeatureNames(): string[] {
  const names = [
    ...Array.from({ length: ITEM_FEATURE_SLOTS }, (_, index) => `features[${index}]`),
    ...Array.from({ length: CATEGORY_BUCKETS }, (_, index) => `category bucket ${index}`),
    'log price',
  ];
  if (names.length !== ITEM_FEATURES_DIM) throw new Error(`item feature names (${names.length}) out of step with ITEM_FEATURES_DIM (${ITEM_FEATURES_DIM})`);
  return names;
}

/**
 * A readable name for every position of an encoded item (ITEM_DIM), as the item encoder fills it: the
 * dense features, then the identity slot, which stands for what the model learned about the item itself
 * (its own embedding row and bias).
 */
export function itemFeatureNames(): string[] {
  const names = [...denseItemFeatureNames(), 'the item itself (its own learned row)'];
  if (names.length !== ITEM_DIM) throw new Error(`item feature names (${names.length}) out of step with ITEM_DIM (${ITEM_DIM})`);
  return names;
}

/** A readable name for every position of an encoded state (STATE_DIM), as the state encoder fills it. */
export function stateFeatureNames(): string[] {
  const item = denseItemFeatureNames();
  const names: string[] = [];
  const put = (at: number, name: string) => (names[at] = name);
  item.forEach((name, index) => put(STATE_OFFSETS.engaged + index, `engaged items: ${name}`));
  item.forEach((name, index) => put(STATE_OFFSETS.exposed + index, `shown items: ${name}`));
  ['engagement count', 'impression count', 'freshness of last interaction'].forEach((name, index) => put(STATE_OFFSETS.counts + index, name));
  ['hour of day (sin)', 'hour of day (cos)', 'day of week (sin)', 'day of week (cos)'].forEach((name, index) => put(STATE_OFFSETS.time + index, name));
  [...SURFACES, 'other'].forEach((surface, index) => put(STATE_OFFSETS.surface + index, `surface: ${surface}`));
  item.forEach((name, index) => put(STATE_OFFSETS.context + index, `viewed item: ${name}`));
  put(STATE_OFFSETS.context + ITEM_FEATURES_DIM, 'viewing an item');
  for (let index = 0; index < ATTRIBUTE_BUCKETS; index += 1) put(STATE_OFFSETS.attributes + index, `request attributes bucket ${index}`);
  if (names.length !== STATE_DIM || names.some((name) => name === undefined)) {
    throw new Error(`state feature names (${names.length}) out of step with STATE_DIM (${STATE_DIM})`);
  }
  return names;
}
