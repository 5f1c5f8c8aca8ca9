import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SumTree } from './sum-tree';

describe('sum tree', () => {
  it('keeps the total and finds the leaf a cumulative mass falls in', () => {
    const tree = new SumTree(5);
    [1, 2, 3, 4, 0].forEach((priority, index) => tree.set(index, priority));
    assert.equal(tree.total, 10);
    // Cumulative ranges: [0,1) -> 0, [1,3) -> 1, [3,6) -> 2, [6,10) -> 3.
    assert.deepEqual([0, 0.99, 1, 2.99, 3, 5.99, 6, 9.99].map((mass) => tree.find(mass)), [0, 0, 1, 1, 2, 2, 3, 3]);
    tree.set(1, 0);
    assert.equal(tree.total, 8);
    assert.equal(tree.find(1.5), 2);
  });
});
