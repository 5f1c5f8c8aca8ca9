import { itemRowsOf } from './layers-model-export';
import type { QNetworkSpec } from './q-network';

/**
 * How many of the given encoded items (rows of `spec.itemDim` floats) share their per-item table row with
 * at least one other of them: the row is the identity hash modulo the table size (`itemRowsOf`), so two
 * items whose hashes agree there learn one embedding and one bias between them, and a new item starts from
 * whatever the other one taught its row. With n items in B rows about n (1 - e^(-n/B)) share: 22% of 1,000
 * items in 4,096 rows, 62% of 4,000. 0 when the model has no per-item table.
 */
export function itemsSharingIdRows(spec: QNetworkSpec, items: Float32Array): number {
  if (spec.itemIdBuckets <= 0) return 0;
  const itemsPerRow = new Map<number, number>();
  for (const row of itemRowsOf(spec, items)) itemsPerRow.set(row, (itemsPerRow.get(row) ?? 0) + 1);
  let sharing = 0;
  for (const count of itemsPerRow.values()) if (count > 1) sharing += count;
  return sharing;
}
