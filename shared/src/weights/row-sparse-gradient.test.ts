import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../errors/errors';
import { packRowSparse, unpackRowSparse } from './row-sparse-gradient';

const layout = [
  { name: 'state/dense1/kernel', shape: [2, 2] },
  { name: 'item/id/embedding', shape: [4, 2] },
  { name: 'item/id/bias', shape: [4, 1] },
];

describe('row-sparse gradients', () => {
  it('sends dense parameters whole and per-item tables as their non-zero rows only', () => {
    // Dense 4 values; the embedding table touched at rows 1 and 3; the bias table at row 1.
    const flat = Float32Array.from([1, 2, 3, 4, 0, 0, 5, 6, 0, 0, 0, 7, 0, 8, 0, 0]);
    const packed = packRowSparse(flat, layout);
    assert.deepEqual(Array.from(packed), [1, 2, 3, 4, 2, 1, 3, 5, 6, 0, 7, 1, 1, 8]);
    assert.deepEqual(Array.from(unpackRowSparse(packed, layout)), Array.from(flat));
  });

  it('shrinks a 4,096-row table touched by a batch of 256 items from 16 KB to about 1 KB per row set', () => {
    const big = [{ name: 'item/id/bias', shape: [4096, 1] }];
    const flat = new Float32Array(4096);
    for (let index = 0; index < 256; index += 1) flat[index * 16] = 0.5;
    const packed = packRowSparse(flat, big);
    assert.equal(packed.length, 1 + 256 * 2);
    assert.deepEqual(unpackRowSparse(packed, big), flat);
  });

  it('rejects truncated, out-of-range and over-long payloads as validation errors', () => {
    const packed = packRowSparse(Float32Array.from([1, 2, 3, 4, 0, 0, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0]), layout);
    assert.throws(() => unpackRowSparse(packed.subarray(0, packed.length - 1), layout), ValidationError);
    const badRow = Float32Array.from(packed);
    badRow[5] = 9;
    assert.throws(() => unpackRowSparse(badRow, layout), /row 9 of 4/);
    assert.throws(() => unpackRowSparse(Float32Array.from([...packed, 1]), layout), /trailing/);
  });
});
