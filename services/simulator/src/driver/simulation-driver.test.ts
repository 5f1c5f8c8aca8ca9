import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PolicySummary } from '../scoreboard/simulation-ledger';
import { hiddenModelPolicy } from '../policies/oracle-policy';
import { uniformRandomPolicy } from '../policies/uniform-random-policy';
import { Prng } from '../random/prng';
import { runInProcess } from '../in-process-run.fixture';

test('drives exactly SIM_REQUESTS requests with many users at once, publishing the catalog and its changes', async () => {
  const run = await runInProcess(
    { SIM_REQUESTS: '3000', SIM_USERS: '300', SIM_CATALOG_UPDATE_EVERY: '500', SIM_NEW_ITEMS_PER_1000_REQUESTS: '10', SIM_STOCKOUTS_PER_1000_REQUESTS: '10' },
    (world) => uniformRandomPolicy(world, new Prng(1)),
    { concurrentUsers: 32 },
  );
  assert.equal(run.outcome.issued, 3000);
  assert.equal(run.transport.requests.length, 3000);
  assert.equal(run.outcome.answered, 3000);
  const catalogIds = run.transport.catalog.map((item) => item.itemId);
  assert.equal(new Set(catalogIds).size, 1000 + 30, 'initial items plus 30 arrivals');
  assert.ok(run.transport.catalog.some((item) => !item.available), 'stockouts are published');
  assert.ok(run.outcome.virtualHours > 1);
  const summary = run.ledger.summary();
  assert.equal((summary.policies.random as PolicySummary).requests, 3000);
  assert.ok(summary.policies.oracle.rewardPerRequest > 3 * summary.policies.random.rewardPerRequest);
});

test('timeouts are counted and the sessions go on', async () => {
  let calls = 0;
  const run = await runInProcess({ SIM_REQUESTS: '400', SIM_USERS: '50' }, (world) => {
    const random = uniformRandomPolicy(world, new Prng(1));
    return (request) => (++calls % 4 === 0 ? null : random(request));
  });
  assert.equal(run.outcome.issued, 400);
  assert.equal(run.outcome.timeouts, 100);
  assert.equal(run.outcome.answered, 300);
});

test('session-dynamics: the myopic oracle wins per request but loses per session to a diversified policy', async () => {
  const overrides = { SIM_SCENARIO: 'session-dynamics', SIM_REQUESTS: '6000', SIM_USERS: '400', SIM_CATALOG_SIZE: '500', SIM_SEED: '1' };
  const myopic = await runInProcess(overrides, (_, simulator) => hiddenModelPolicy(simulator, { name: 'myopic', maxPerCategory: null }));
  const diverse = await runInProcess(overrides, (_, simulator) => hiddenModelPolicy(simulator, { name: 'diverse', maxPerCategory: 1 }));
  const m = myopic.ledger.summary().policies.myopic as PolicySummary;
  const d = diverse.ledger.summary().policies.diverse as PolicySummary;
  assert.ok(m.expectedRewardPerRequest > d.expectedRewardPerRequest, `per request: myopic ${m.expectedRewardPerRequest}, diverse ${d.expectedRewardPerRequest}`);
  // Seeds 1, 2, 3, 21: diverse/myopic expected reward per session 1.18, 1.13, 1.14, 1.08.
  assert.ok((d.expectedRewardPerSession ?? 0) > 1.1 * (m.expectedRewardPerSession ?? 0), `per session: myopic ${m.expectedRewardPerSession}, diverse ${d.expectedRewardPerSession}`);
  assert.ok((d.rewardPerSession ?? 0) > (m.rewardPerSession ?? 0), `realised per session: myopic ${m.rewardPerSession}, diverse ${d.rewardPerSession}`);
  assert.ok((d.meanSessionLength ?? 0) > (m.meanSessionLength ?? 0));
});

test('in-process runs are deterministic per seed, and a different seed gives a different run', async () => {
  const overrides = { SIM_REQUESTS: '1500', SIM_USERS: '200', SIM_CATALOG_SIZE: '300', SIM_NEW_ITEMS_PER_1000_REQUESTS: '20' };
  const run = (seed: string) => runInProcess({ ...overrides, SIM_SEED: seed }, (world) => uniformRandomPolicy(world, new Prng(5)), { concurrentUsers: 16 });
  const [first, again, other] = [await run('7'), await run('7'), await run('8')];
  assert.deepEqual(again.ledger.summary(), first.ledger.summary());
  assert.deepEqual(again.transport.feedback, first.transport.feedback);
  assert.notDeepEqual(other.ledger.summary().policies.random, first.ledger.summary().policies.random);
});
