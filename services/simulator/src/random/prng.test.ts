import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniformRandomPolicy } from '../policies/uniform-random-policy';
import { runInProcess, testConfig } from '../in-process-run.fixture';
import { createSimulation } from '../driver/simulation-factory';
import { Prng } from './prng';

test('the same seed gives the same stream; another seed a different one', () => {
  const draw = (seed: number) => {
    const prng = new Prng(seed);
    return Array.from({ length: 100 }, () => prng.nextUint32());
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
});

test('uniform draws are in [0, 1) with a plausible mean; normals have mean 0 and variance 1', () => {
  const prng = new Prng(1);
  const uniforms = Array.from({ length: 20_000 }, () => prng.next());
  assert.ok(uniforms.every((value) => value >= 0 && value < 1));
  assert.ok(Math.abs(uniforms.reduce((a, b) => a + b) / uniforms.length - 0.5) < 0.01);
  const normals = Array.from({ length: 20_000 }, () => prng.normal());
  const mean = normals.reduce((a, b) => a + b) / normals.length;
  const variance = normals.reduce((sum, value) => sum + (value - mean) ** 2, 0) / normals.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
});

test('fork gives independent streams and does not advance the parent', () => {
  const parent = new Prng(3);
  const a = parent.fork('a').nextUint32();
  const b = parent.fork('b').nextUint32();
  assert.notEqual(a, b);
  assert.equal(parent.fork('a').nextUint32(), a);
  assert.equal(parent.nextUint32(), new Prng(3).nextUint32());
});

test('sampleIndices draws distinct indices in range, sparse and dense', () => {
  const prng = new Prng(5);
  for (const [n, count] of [[1000, 10], [10, 10], [10, 7]] as const) {
    const picks = prng.sampleIndices(n, count);
    assert.equal(picks.length, count);
    assert.equal(new Set(picks).size, count);
    assert.ok(picks.every((index) => index >= 0 && index < n));
  }
});

test('the same seed gives the same catalog and users', () => {
  const first = createSimulation(testConfig({ SIM_SEED: '11' })).world;
  const second = createSimulation(testConfig({ SIM_SEED: '11' })).world;
  const other = createSimulation(testConfig({ SIM_SEED: '12' })).world;
  const catalogOf = (world: typeof first) => world.catalog.items.map((item) => [item.itemId, item.category.name, item.price, item.features]);
  const usersOf = (world: typeof first) => world.users.map((user) => [user.userId, user.device, user.locale, [...user.taste], user.priceSensitivity]);
  assert.deepEqual(catalogOf(first), catalogOf(second));
  assert.deepEqual(usersOf(first), usersOf(second));
  assert.notDeepEqual(catalogOf(first), catalogOf(other));
});

test('the same seed and the same policy give the same requests, choices and feedback', async () => {
  const run = () =>
    runInProcess({ SIM_SEED: '5', SIM_REQUESTS: '600', SIM_USERS: '50', SIM_CATALOG_SIZE: '300' }, (world) => uniformRandomPolicy(world, new Prng(9)), {
      concurrentUsers: 1,
    });
  const [first, second] = [await run(), await run()];
  assert.deepEqual(first.transport.requests, second.transport.requests);
  assert.deepEqual(first.transport.feedback, second.transport.feedback);
  assert.deepEqual(first.transport.catalog, second.transport.catalog);
  assert.ok(first.transport.feedback.some((event) => event.type === 'CLICK'));
});
