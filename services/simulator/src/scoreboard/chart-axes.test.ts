import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countAxisTicks, fitValueAxis, formatValue, niceStep } from './chart-axes';

test('the value axis is fitted to the values, with round ticks, and never squeezed by a far reference', () => {
  const values = [1.0, 1.4, 2.02, 2.2];
  const { axis, reference } = fitValueAxis(values, 3.59);
  assert.ok(axis.min <= 1.0 && axis.min > 0, `min ${axis.min}`);
  assert.ok(axis.max >= 2.2 && axis.max < 3.59, `max ${axis.max}`);
  assert.equal(axis.ticks[0], axis.min);
  assert.equal(axis.ticks[axis.ticks.length - 1], axis.max);
  // The values fill most of the axis.
  assert.ok((2.2 - 1.0) / (axis.max - axis.min) > 0.6);
  assert.deepEqual(reference, { value: 3.59, placement: 'above' });
});

test('a reference just beyond the values stretches the axis and sits on it', () => {
  const { axis, reference } = fitValueAxis([1.0, 2.2], 2.7);
  assert.ok(axis.max >= 2.7);
  assert.equal(reference?.placement, 'on');
  assert.equal(fitValueAxis([1.0, 2.2], 0.2).reference?.placement, 'on');
  assert.equal(fitValueAxis([5, 6], -10).reference?.placement, 'below');
});

test('values all >= 0 never get a negative axis; a flat series still gets a visible axis', () => {
  assert.ok(fitValueAxis([0.01, 0.02]).axis.min >= 0);
  const flat = fitValueAxis([2, 2, 2]).axis;
  assert.ok(flat.min < 2 && flat.max > 2);
});

test('the count axis ends exactly at the data end, whatever round number comes next', () => {
  assert.deepEqual(countAxisTicks(12_000), [0, 2_500, 5_000, 7_500, 10_000, 12_000]);
  const odd = countAxisTicks(12_345);
  assert.equal(odd[odd.length - 1], 12_345);
  assert.ok(odd.every((tick) => tick <= 12_345));
  // A round tick that would collide with the end label is dropped.
  const near = countAxisTicks(10_100);
  assert.deepEqual(near.slice(-2), [7_500, 10_100]);
});

test('round steps and labels', () => {
  assert.equal(niceStep(0.276), 0.5);
  assert.equal(niceStep(2_400), 2_500);
  assert.equal(formatValue(1.5, 0.5), '1.5');
  assert.equal(formatValue(0.25, 0.25), '0.25');
  assert.equal(formatValue(4, 2), '4');
});
