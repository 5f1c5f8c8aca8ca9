import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokerRunPlan } from './broker-run';

describe('brokerRunPlan: an evaluation policy as one infra/bin/demo run', () => {
  const base = { world: 'raw-features', seed: 103, requests: 5_000, env: { SIM_USERS: '400' }, reportDir: '/tmp/run' };

  it('runs a baseline as the demo policy of the same name, on the world and seed, with the settings', () => {
    const { env, label } = brokerRunPlan({ ...base, policy: 'popularity' });
    assert.equal(label, 'popularity');
    assert.equal(env.DEMO_POLICIES, 'popularity');
    assert.equal(env.SIM_WORLD, 'raw-features');
    assert.equal(env.DEMO_SEED, '103');
    assert.equal(env.DEMO_REQUESTS, '5000');
    assert.equal(env.DEMO_BASELINE_REQUESTS, '5000');
    assert.equal(env.SIM_USERS, '400');
    assert.equal(env.DEMO_SCENARIOS, 'default');
    assert.equal(env.DEMO_REPORT_DIR, '/tmp/run');
  });

  it("runs each DQN as the demo's ddqn run with its discount, labelled as the demo labels it", () => {
    const gamma0 = brokerRunPlan({ ...base, policy: 'ddqn-gamma0' });
    assert.deepEqual([gamma0.env.DEMO_POLICIES, gamma0.env.DEMO_GAMMA, gamma0.env.LEARNER_GAMMA, gamma0.label], ['ddqn', '0', '0', 'ddqn-gamma0']);
    const longTerm = brokerRunPlan({ ...base, policy: 'ddqn-gamma0.9' });
    assert.deepEqual([longTerm.env.DEMO_GAMMA, longTerm.env.LEARNER_BOOTSTRAP_SLATE_SIZE, longTerm.label], ['0.9', '10', 'ddqn-gamma0.9']);
    // `ddqn` is the services' defaults, whatever their discount; a setting on the command line wins.
    assert.equal(brokerRunPlan({ ...base, policy: 'ddqn' }).label, 'ddqn-gamma0');
    assert.equal(brokerRunPlan({ ...base, policy: 'ddqn', env: { LEARNER_GAMMA: '0.5' } }).label, 'ddqn-gamma0.5');
  });
});
