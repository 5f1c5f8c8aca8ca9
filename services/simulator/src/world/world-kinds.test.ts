import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ITEM_FEATURE_SLOTS } from '@rec/shared';
import { createSimulation } from '../driver/simulation-factory';
import { runInProcess, testConfig } from '../in-process-run.fixture';
import { uniformRandomPolicy } from '../policies/uniform-random-policy';
import { Prng } from '../random/prng';
import type { PolicySummary } from '../scoreboard/simulation-ledger';
import { expectedSlateOutcome } from './choice-model';
import type { RequestContext } from './user-model';
import { WORLD_NAMES } from './world-kinds';

// What every world must do, whatever its structure.
for (const world of WORLD_NAMES) {
  test(`${world}: deterministic per seed; the oracle beats random slates; at most 16 finite features per item`, async () => {
    const overrides = { SIM_WORLD: world, SIM_REQUESTS: '1200', SIM_USERS: '150', SIM_CATALOG_SIZE: '300', SIM_SEED: '5' };
    const run = () => runInProcess(overrides, (w) => uniformRandomPolicy(w, new Prng(9)), { concurrentUsers: 8 });
    const [first, again] = [await run(), await run()];
    assert.deepEqual(again.ledger.summary(), first.ledger.summary());
    assert.deepEqual(again.transport.feedback.slice(-50), first.transport.feedback.slice(-50));
    const summary = first.ledger.summary();
    const random = summary.policies.random as PolicySummary;
    assert.ok(summary.policies.oracle.rewardPerRequest > 2 * random.expectedRewardPerRequest, `oracle ${summary.policies.oracle.rewardPerRequest}, random ${random.expectedRewardPerRequest}`);
    for (const item of first.transport.catalog) {
      assert.ok(item.features.length <= ITEM_FEATURE_SLOTS && item.features.every(Number.isFinite));
      assert.ok(item.price > 0 && item.category !== '');
    }

    const { world: hidden } = createSimulation(testConfig(overrides));
    const prng = new Prng(11);
    const candidates = hidden.catalog.available();
    for (const user of hidden.users.slice(0, 10)) {
      const context: RequestContext = { surface: 'home', contextItem: null, searchIntent: null, localHour: prng.uniform(0, 24), virtualTime: 0 };
      const eta = hidden.model.positionBias(user);
      const oracle = hidden.oracleSlate(user, context, candidates, 10, eta);
      assert.equal(oracle.items.length, 10);
      assert.ok(Math.abs(expectedSlateOutcome(hidden.model.slateValues(user, context, oracle.items), eta).expectedReward - oracle.expectedReward) < 1e-9, 'the oracle reports its slate truthfully');
      for (let trial = 0; trial < 50; trial += 1) {
        const slate = prng.sampleIndices(candidates.length, 10).map((index) => candidates[index]);
        assert.ok(expectedSlateOutcome(hidden.model.slateValues(user, context, slate), eta).expectedReward <= oracle.expectedReward + 1e-12);
      }
    }
  });
}
