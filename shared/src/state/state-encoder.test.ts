import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogItem } from '../events/contract';
import { ITEM_DIM, encodeItem } from './item-encoder';
import { ATTRIBUTE_BUCKETS, ENCODER_VERSION, HISTORY_LENGTH, STATE_DIM, encodeState, type HistoryEntry } from './state-encoder';

function item(itemId: string, category: string, price: number, features: number[]): CatalogItem {
  return { itemId, category, price, features, available: true, updatedAt: 0 };
}

const catalog = new Map(
  [item('i1', 'shoes', 50, [1, 0.5]), item('i2', 'hats', 10, [0, 2, 3]), item('i3', 'shoes', 0, [])].map((entry) => [entry.itemId, encodeItem(entry)]),
);
const lookup = (itemId: string) => catalog.get(itemId);

const now = Date.UTC(2024, 2, 15, 13, 30);
const request = { timestamp: now, surface: 'product', contextItemId: 'i2', attributes: { device: 'mobile', locale: 'en' } };
const history: HistoryEntry[] = [
  { itemId: 'i1', type: 'CLICK', timestamp: now - 60_000 },
  { itemId: 'i2', type: 'IMPRESSION', timestamp: now - 120_000 },
  { itemId: 'gone', type: 'PURCHASE', timestamp: now - 180_000 },
  { itemId: 'i3', type: 'ADD_TO_CART', timestamp: now - 240_000 },
];

/** Where the context flag sits: the last float of the context block, before the attribute buckets. */
function contextFlag(state: Float32Array): number {
  return state[STATE_DIM - ATTRIBUTE_BUCKETS - 1];
}

describe('state encoder', () => {
  it('is versioned and sized', () => {
    assert.ok(Number.isInteger(ENCODER_VERSION) && ENCODER_VERSION >= 1);
    assert.ok(STATE_DIM > 3 * ITEM_DIM);
  });

  it('produces STATE_DIM finite floats', () => {
    for (const entries of [history, []]) {
      const state = encodeState(request, entries, lookup);
      assert.ok(state instanceof Float32Array);
      assert.equal(state.length, STATE_DIM);
      assert.ok(state.every(Number.isFinite), 'all finite');
      assert.ok(state.some((value) => value !== 0), 'not all zero');
    }
  });

  it('is deterministic: identical input, identical output', () => {
    const first = encodeState(request, history, lookup);
    const second = encodeState({ ...request, attributes: { ...request.attributes } }, history.map((entry) => ({ ...entry })), lookup);
    assert.deepEqual(Array.from(first), Array.from(second));
  });

  it('writes in place at an offset and leaves the rest of the buffer alone', () => {
    const out = new Float32Array(STATE_DIM * 2 + 1).fill(7);
    encodeState(request, history, lookup, out, STATE_DIM);
    assert.deepEqual(Array.from(out.subarray(STATE_DIM, 2 * STATE_DIM)), Array.from(encodeState(request, history, lookup)));
    assert.ok(out.subarray(0, STATE_DIM).every((value) => value === 7));
    assert.equal(out[2 * STATE_DIM], 7);
  });

  it('sets the context flag only for a known contextItemId', () => {
    assert.equal(contextFlag(encodeState(request, history, lookup)), 1);
    assert.equal(contextFlag(encodeState({ ...request, contextItemId: null }, history, lookup)), 0);
    assert.equal(contextFlag(encodeState({ ...request, contextItemId: 'not-in-catalog' }, history, lookup)), 0);
  });

  it('depends on the history, the surface and the attributes', () => {
    const base = Array.from(encodeState(request, history, lookup));
    assert.notDeepEqual(Array.from(encodeState(request, history.slice(1), lookup)), base);
    assert.notDeepEqual(Array.from(encodeState({ ...request, surface: 'cart' }, history, lookup)), base);
    assert.notDeepEqual(Array.from(encodeState({ ...request, attributes: {} }, history, lookup)), base);
  });

  it('reads at most HISTORY_LENGTH interactions', () => {
    const long: HistoryEntry[] = Array.from({ length: HISTORY_LENGTH }, (_, index) => ({ itemId: 'i1', type: 'CLICK', timestamp: now - index }));
    const longer = [...long, ...Array.from({ length: 20 }, (): HistoryEntry => ({ itemId: 'i2', type: 'PURCHASE', timestamp: 0 }))];
    assert.deepEqual(Array.from(encodeState(request, longer, lookup)), Array.from(encodeState(request, long, lookup)));
  });

  it('keeps an old click in the state however many newer impressions follow it', () => {
    const click: HistoryEntry = { itemId: 'i1', type: 'CLICK', timestamp: now - 1_000_000 };
    const impressions = Array.from({ length: 3 * HISTORY_LENGTH }, (_, index): HistoryEntry => ({ itemId: 'i2', type: 'IMPRESSION', timestamp: now - index }));
    const withClick = encodeState(request, [...impressions, click], lookup);
    const without = encodeState(request, impressions, lookup);
    // The engaged-items block (the first floats) is set only by the click.
    assert.ok(withClick.subarray(0, 10).some((value, index) => value !== without[index]));
  });

  it('encodes items to ITEM_DIM finite floats, whatever their feature count', () => {
    const many = encodeItem(item('x', 'c', 1e9, Array.from({ length: 40 }, (_, index) => index)));
    assert.equal(many.length, ITEM_DIM);
    assert.ok(many.every(Number.isFinite));
    assert.ok(encodeItem(item('y', 'c', -5, [])).every(Number.isFinite));
  });
});
