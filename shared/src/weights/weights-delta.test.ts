import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codecs } from '../avro/codecs';
import { ValidationError } from '../errors/errors';
import type { ModelWeightsDelta } from '../events/internal';
import { checksumOf, floatsToBytes } from '../util/float-bytes';
import { applyWeightsDelta, buildWeightsDelta, deltaRowCount } from './weights-delta';
import { weightsFromDelta, type WeightsBase } from './weights-payload';
import { WeightsPublishEncoder } from './weights-publish-encoder';

const layout = [
  { name: 'state/dense1/kernel', shape: [3, 2] },
  { name: 'item/id/embedding', shape: [8, 3] },
  { name: 'item/id/bias', shape: [8, 1] },
];
const SIZE = 6 + 24 + 8;
const LAYOUT_HASH = 'layout-1';

/** Deterministic pseudo-random floats (a small LCG), so a failure reproduces. */
function floats(seed: number, size = SIZE): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
}

/** `base` with the dense part moved and the given embedding rows (and one bias row) changed. */
function stepped(base: Float32Array, rows: number[], by: number): Float32Array {
  const next = Float32Array.from(base);
  for (let index = 0; index < 6; index += 1) next[index] += by;
  for (const row of rows) for (let column = 0; column < 3; column += 1) next[6 + row * 3 + column] += by;
  next[6 + 24 + (rows[0] ?? 0)] -= by;
  return next;
}

function bits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

function baseOf(version: number, values: Float32Array): WeightsBase {
  return { version, checksum: checksumOf(floatsToBytes(values)), values };
}

function deltaRecord(base: WeightsBase, current: Float32Array, version: number): ModelWeightsDelta {
  const bytes = Buffer.from(floatsToBytes(buildWeightsDelta(base.values, current, layout)));
  return {
    modelId: 'm', role: 'ONLINE', version, layoutHash: LAYOUT_HASH, values: bytes, checksum: checksumOf(bytes), newestSampleTimestamp: null, publishedAt: 1,
    learnerProgress: {}, baseVersion: base.version, baseChecksum: base.checksum, weightsChecksum: checksumOf(floatsToBytes(current)),
  };
}

describe('weights deltas', () => {
  it('carries the dense parameters and only the changed table rows, and applies to exactly the current weights', () => {
    const base = floats(1);
    const current = stepped(base, [2, 5], 0.125);
    const delta = buildWeightsDelta(base, current, layout);
    // 6 dense, embedding: count + 2 indices + 2 rows of 3, bias: count + 1 index + 1 row.
    assert.equal(delta.length, 6 + 1 + 2 + 6 + 1 + 1 + 1);
    assert.equal(deltaRowCount(delta, layout), 3);
    assert.deepEqual(bits(applyWeightsDelta(base, delta, layout)), bits(current));
    assert.deepEqual(bits(base), bits(floats(1)), 'applying leaves the base as it was');
  });

  it('tells 0 from -0 and keeps every bit of tiny changes', () => {
    const base = floats(2);
    base[6 + 24 + 1] = 0;
    const current = Float32Array.from(base);
    current[6 + 3 * 7] = Math.fround(base[6 + 3 * 7] * (1 + 2 ** -23));
    assert.notEqual(current[6 + 3 * 7], base[6 + 3 * 7]);
    // Equal as numbers, different on the wire: a delta that missed it would not reconstruct the checksum.
    current[6 + 24 + 1] = -0;
    const delta = buildWeightsDelta(base, current, layout);
    assert.equal(deltaRowCount(delta, layout), 2);
    assert.deepEqual(bits(applyWeightsDelta(base, delta, layout)), bits(current));
  });

  it('reconstructs from a record only on the base it names, and verifies the result', () => {
    const base = baseOf(10, floats(3));
    const current = stepped(base.values, [0, 7], -0.25);
    const record = deltaRecord(base, current, 14);
    assert.deepEqual(bits(weightsFromDelta(record, base, LAYOUT_HASH, layout)), bits(current));

    const refusedWith = (reason: string, run: () => unknown) =>
      assert.throws(run, (error: unknown) => error instanceof ValidationError && error.reason === reason, reason);
    refusedWith('base-not-held', () => weightsFromDelta(record, null, LAYOUT_HASH, layout));
    refusedWith('base-not-held', () => weightsFromDelta(record, { ...base, version: 11 }, LAYOUT_HASH, layout));
    // The same version number with other values (another server incarnation): refused by its checksum.
    const other = baseOf(10, floats(4));
    refusedWith('base-not-held', () => weightsFromDelta(record, other, LAYOUT_HASH, layout));
    refusedWith('layout-mismatch', () => weightsFromDelta(record, base, 'layout-2', layout));
  });

  it('refuses a corrupted delta: flipped bytes, NaN, a moved row, a malformed payload', () => {
    const base = baseOf(20, floats(5));
    const current = stepped(base.values, [3], 0.5);
    const record = deltaRecord(base, current, 21);
    const refusedWith = (reason: string, corrupted: ModelWeightsDelta) =>
      assert.throws(() => weightsFromDelta(corrupted, base, LAYOUT_HASH, layout), (error: unknown) => error instanceof ValidationError && error.reason === reason, reason);

    const flipped = Buffer.from(record.values);
    flipped[9] ^= 0x40;
    refusedWith('bad-checksum', { ...record, values: flipped });

    const packed = new Float32Array(record.values.buffer.slice(record.values.byteOffset, record.values.byteOffset + record.values.byteLength));
    const withNaN = Float32Array.from(packed);
    withNaN[0] = Number.NaN;
    const nanBytes = Buffer.from(floatsToBytes(withNaN));
    refusedWith('not-finite', { ...record, values: nanBytes, checksum: checksumOf(nanBytes) });

    // A consistent payload that names another row than the one the server changed: it decodes, but does not
    // reconstruct the weights the server checksummed.
    const moved = Float32Array.from(packed);
    assert.equal(moved[7], 3, 'the embedding row index sits after the dense part and the count');
    moved[7] = 4;
    const movedBytes = Buffer.from(floatsToBytes(moved));
    refusedWith('bad-reconstruction', { ...record, values: movedBytes, checksum: checksumOf(movedBytes) });

    const truncated = Buffer.from(floatsToBytes(packed.subarray(0, packed.length - 1)));
    refusedWith('bad-weights-delta', { ...record, values: truncated, checksum: checksumOf(truncated) });
  });
});

describe('WeightsPublishEncoder', () => {
  const fields = (version: number, values: Float32Array) => ({ modelId: 'm', role: 'ONLINE' as const, version, layoutHash: LAYOUT_HASH, values, newestSampleTimestamp: null });

  it('publishes whole at first and every K-th publish, cumulative deltas against the last whole record in between', () => {
    const encoder = new WeightsPublishEncoder(layout, 3);
    let values = floats(6);
    const kinds: string[] = [];
    const bases: (number | null)[] = [];
    const rows: (number | null)[] = [];
    for (let version = 0; version < 7; version += 1) {
      if (version > 0) values = stepped(values, [version % 8], 0.01);
      const encoded = encoder.encode(fields(version, values));
      encoded.sent();
      kinds.push(encoded.kind);
      bases.push(encoded.baseVersion);
      rows.push(encoded.changedRows);
    }
    assert.deepEqual(kinds, ['full', 'delta', 'delta', 'full', 'delta', 'delta', 'full']);
    assert.deepEqual(bases, [null, 0, 0, null, 3, 3, null]);
    // Cumulative: version 2 carries the embedding rows changed at versions 1 and 2 (and the bias rows).
    assert.deepEqual(rows, [null, 2, 4, null, 2, 4, null]);
  });

  it('reconstructs every version exactly from the newest full record and the newest delta alone, as compaction leaves them', () => {
    const encoder = new WeightsPublishEncoder(layout, 10);
    let values = floats(7);
    let full: WeightsBase | null = null;
    for (let version = 0; version < 6; version += 1) {
      if (version > 0) values = stepped(values, [(version * 3) % 8], 0.001 * version);
      const encoded = encoder.encode(fields(version, values));
      encoded.sent();
      if (encoded.kind === 'full') {
        const record = codecs.modelWeights.decode(encoded.value);
        full = { version: record.version, checksum: record.checksum, values: new Float32Array(record.values.buffer.slice(record.values.byteOffset, record.values.byteOffset + record.values.byteLength)) };
        continue;
      }
      assert.equal(encoded.key, 'm/ONLINE/delta');
      const reconstructed = weightsFromDelta(codecs.modelWeightsDelta.decode(encoded.value), full, LAYOUT_HASH, layout);
      assert.deepEqual(bits(reconstructed), bits(values), `version ${version}`);
    }
  });

  it('names as base only a whole record the broker acknowledged, and goes whole when a delta would be no smaller', () => {
    const encoder = new WeightsPublishEncoder(layout, 10);
    const first = encoder.encode(fields(0, floats(8)));
    assert.equal(first.kind, 'full');
    // Not sent (the broker refused it): the next publish cannot be a delta against it.
    assert.equal(encoder.encode(fields(1, floats(8))).kind, 'full');
    encoder.encode(fields(1, floats(8))).sent();
    assert.equal(encoder.encode(fields(2, stepped(floats(8), [1], 0.1))).kind, 'delta');
    // Every row changed: the delta would outgrow the whole record.
    const everything = encoder.encode(fields(3, floats(9)));
    assert.equal(everything.kind, 'full');
    assert.equal(everything.key, 'm/ONLINE');
  });

  it('with K = 1 publishes only whole records, as before deltas existed', () => {
    const encoder = new WeightsPublishEncoder(layout, 1);
    let values = floats(10);
    for (let version = 0; version < 4; version += 1) {
      values = stepped(values, [1], 0.01);
      const encoded = encoder.encode(fields(version, values));
      encoded.sent();
      assert.equal(encoded.kind, 'full');
    }
  });
});
