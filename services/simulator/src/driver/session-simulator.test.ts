import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecommendationAction } from '@rec/shared';
import { Prng } from '../random/prng';
import { uniformRandomPolicy } from '../policies/uniform-random-policy';
import { runInProcess, testConfig } from '../in-process-run.fixture';
import { createSimulation } from './simulation-factory';

test('feedback: an impression per shown item, timestamps after the request, unique event ids, organic events unlinked', async () => {
  const run = await runInProcess(
    { SIM_REQUESTS: '2000', SIM_USERS: '100', SIM_ORGANIC_EVENTS_PER_REQUEST: '0.5' },
    (world) => uniformRandomPolicy(world, new Prng(2)),
  );
  const { requests, feedback } = run.transport;
  assert.equal(requests.length, 2000);
  const requestById = new Map(requests.map((request) => [request.requestId, request]));
  assert.equal(requestById.size, 2000, 'requestIds are unique');
  assert.equal(new Set(feedback.map((event) => event.eventId)).size, feedback.length, 'eventIds are unique');
  const impressions = feedback.filter((event) => event.type === 'IMPRESSION');
  assert.equal(impressions.length, 2000 * 10);
  for (const event of feedback) {
    if (event.requestId === null) continue;
    const request = requestById.get(event.requestId);
    assert.ok(request !== undefined);
    assert.ok(event.timestamp > request.timestamp, 'feedback is stamped after its request');
    assert.equal(event.userId, request.userId);
  }
  const organic = feedback.filter((event) => event.requestId === null);
  assert.ok(organic.length > 500 && organic.length < 1500, `${organic.length} organic events`);
  for (const event of feedback.filter((e) => e.type === 'PURCHASE')) assert.ok(event.value > 0);
  // Per user, published timestamps strictly increase across requests and feedback.
  const lastByUser = new Map<string, number>();
  const events = [...requests.map((r) => ({ userId: r.userId, timestamp: r.timestamp, order: 0 })), ...feedback.map((f) => ({ userId: f.userId, timestamp: f.timestamp, order: 1 }))];
  for (const event of events.sort((a, b) => a.timestamp - b.timestamp)) {
    assert.notEqual(lastByUser.get(event.userId), event.timestamp, 'no two events of a user share a timestamp');
    lastByUser.set(event.userId, event.timestamp);
  }
  const surfaces = new Set(requests.map((request) => request.surface));
  assert.deepEqual([...surfaces].sort(), ['cart', 'home', 'product', 'search']);
  for (const request of requests) {
    assert.equal(request.contextItemId !== null, request.surface === 'product');
    assert.deepEqual(Object.keys(request.attributes).sort(), ['device', 'locale']);
  }
});

test('unknown, unavailable and duplicate items are not shown; a timeout shows nothing and the session goes on', () => {
  const { world, simulator } = createSimulation(testConfig({ SIM_USERS: '5' }));
  const user = world.users[0];
  const visit = simulator.startVisit(user);
  const prepared = simulator.prepareRequest(visit, 0);
  const [a, b, c] = world.catalog.items;
  world.catalog.setAvailable(b, false, 0);
  const action: RecommendationAction = {
    requestId: prepared.request.requestId,
    userId: user.userId,
    timestamp: prepared.request.timestamp + 1,
    items: [
      { itemId: a.itemId, position: 0, score: 1, propensity: 1, explored: false },
      { itemId: 'no-such-item', position: 1, score: 1, propensity: 1, explored: false },
      { itemId: b.itemId, position: 2, score: 1, propensity: 1, explored: false },
      { itemId: a.itemId, position: 3, score: 1, propensity: 1, explored: false },
      { itemId: c.itemId, position: 4, score: 1, propensity: 1, explored: false },
    ],
    modelVersion: 0,
    epsilon: 0,
    policy: 'test',
  };
  const result = simulator.applyAction(visit, prepared, action);
  assert.deepEqual(result.rejected, { unknown: 1, unavailable: 1, duplicate: 1, beyondSlateSize: 0 });
  assert.deepEqual(result.feedback.filter((event) => event.type === 'IMPRESSION').map((event) => event.itemId), [a.itemId, c.itemId]);
  assert.equal(result.record?.impressions, 2);
  assert.ok(result.record !== null && result.record.oracleExpectedReward >= result.record.expectedReward);

  const next = simulator.prepareRequest(visit, 1);
  const timedOut = simulator.applyAction(visit, next, null);
  assert.equal(timedOut.record, null);
  assert.equal(timedOut.feedback.filter((event) => event.requestId !== null).length, 0);
  assert.ok(next.request.timestamp > prepared.request.timestamp);
});
