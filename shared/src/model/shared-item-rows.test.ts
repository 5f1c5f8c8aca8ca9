import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { readModelShapeConfig } from '../config/model-config';
import { encodeItem, ITEM_DIM, ITEM_ID_SLOT } from '../state/item-encoder';
import { itemsSharingIdRows } from './shared-item-rows';

/** Encoded items whose identity slots hold the given hashes (the dense features do not matter here). */
function itemsWithHashes(hashes: number[]): Float32Array {
  const vectors = new Float32Array(hashes.length * ITEM_DIM);
  hashes.forEach((hash, item) => {
    vectors[item * ITEM_DIM + ITEM_ID_SLOT] = hash;
  });
  return vectors;
}

/** The default model's shape with a per-item table of `buckets` rows. */
const specWith = (buckets: number) => readModelShapeConfig({ MODEL_ITEM_ID_BUCKETS: String(buckets) });

describe('items sharing a per-item row', () => {
  it('counts every item of a row that holds more than one, modulo the table size', () => {
    const vectors = itemsWithHashes([1, 1 + 4096, 2, 3, 3, 3 + 8192]);
    assert.equal(itemsSharingIdRows(specWith(4096), vectors), 5, 'rows 1 (two items) and 3 (three items)');
    assert.equal(itemsSharingIdRows(specWith(16_384), vectors), 2, 'only the two identical hashes of row 3 remain together');
    assert.equal(itemsSharingIdRows(specWith(0), vectors), 0, 'no per-item table, nothing shared');
    assert.equal(itemsSharingIdRows(specWith(4096), new Float32Array(0)), 0);
  });

  it('matches n (1 - e^(-n/B)) for random-looking item ids: about 22% of 1,000 items in 4,096 rows, 62% of 4,000', () => {
    const catalog = (size: number) => {
      const vectors = new Float32Array(size * ITEM_DIM);
      for (let item = 0; item < size; item += 1) {
        encodeItem({ itemId: createHash('sha1').update(`item ${item}`).digest('hex').slice(0, 32), category: 'c', price: 1, features: [], available: true, updatedAt: 0 }, vectors, item * ITEM_DIM);
      }
      return vectors;
    };
    const thousand = itemsSharingIdRows(specWith(4096), catalog(1_000));
    assert.ok(thousand > 150 && thousand < 280, `expected about 216 of 1,000, got ${thousand}`);
    const fourThousand = itemsSharingIdRows(specWith(4096), catalog(4_000));
    assert.ok(fourThousand > 2_350 && fourThousand < 2_650, `expected about 2,490 of 4,000, got ${fourThousand}`);
    const moreRows = itemsSharingIdRows(specWith(16_384), catalog(4_000));
    assert.ok(moreRows > 750 && moreRows < 1_000, `expected about 870 of 4,000 in 16,384 rows, got ${moreRows}`);
  });
});
