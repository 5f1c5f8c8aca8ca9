import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initTensorBackend } from '@rec/shared/model';
import { briefOf } from './run-brief';
import { runExperiment } from './run-experiment';

// A tiny world and budget: the real program (world, driver, ledger, slate decider, joiner semantics,
// n-step assembler, replay, Double-DQN gradient, Adam), run for a few hundred requests.
const tiny = { SIM_CATALOG_SIZE: '60', SIM_USERS: '40', SIM_CONCURRENT_USERS: '8', LEARNER_WARMUP: '50', LEARNER_BATCH_SIZE: '32', MODEL_HIDDEN_SIZES: '16,16,8', MODEL_ITEM_ID_BUCKETS: '64' };

describe('the in-process experiment runner', () => {
  before(async () => {
    await initTensorBackend();
  });

  it('trains the DQN from the simulated stream and serves the weights it publishes', async () => {
    const brief = briefOf(await runExperiment({ policy: 'ddqn', seed: 5, requests: 300, env: tiny }));
    assert.ok(brief.learner !== null && brief.learner.inserted > 0, 'transitions reached replay');
    assert.ok(brief.learner!.steps > 0, 'the learner took gradient steps');
    assert.ok((brief.finalModelVersion ?? 0) > 0, `the actor serves a trained version, got ${brief.finalModelVersion}`);
    assert.ok(brief.samplesPerTransition !== null && brief.samplesPerTransition > 0);
    assert.equal(brief.curve.windows.at(-1), 300, 'the curve ends where the run ends');
  });

  it('is deterministic per seed, and the seed changes the world', async () => {
    const once = briefOf(await runExperiment({ policy: 'popularity', seed: 5, requests: 300, env: tiny }));
    const twice = briefOf(await runExperiment({ policy: 'popularity', seed: 5, requests: 300, env: tiny }));
    const other = briefOf(await runExperiment({ policy: 'popularity', seed: 6, requests: 300, env: tiny }));
    assert.deepEqual(twice.served, once.served);
    assert.notDeepEqual(other.served, once.served);
  });
});
