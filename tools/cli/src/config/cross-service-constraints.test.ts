import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROLES, crossServiceViolations } from './cross-service-constraints';

const ALL = ROLES;

describe('cross-service constraints', () => {
  it('hold for the defaults', () => {
    assert.deepEqual(crossServiceViolations({}, ALL), []);
  });

  it('catch reward weights that differ between the joiner and the simulator, naming both variables', () => {
    const [violation, ...rest] = crossServiceViolations({ JOINER_REWARD_CLICK: '2', SIM_REWARD_PURCHASE_VALUE: '0.1' }, ALL);
    assert.equal(rest.length, 0);
    assert.match(violation!.message, /JOINER_REWARD_CLICK=2 but SIM_REWARD_CLICK=1/);
    assert.match(violation!.message, /JOINER_REWARD_VALUE_WEIGHT=0 but SIM_REWARD_PURCHASE_VALUE=0.1/);
    // Without a simulator in the deployment the rule does not apply.
    assert.deepEqual(crossServiceViolations({ JOINER_REWARD_CLICK: '2' }, ['actor', 'joiner', 'learner', 'parameter-server']), []);
  });

  it("catch an actor request state that dies before the joiner's pending requests", () => {
    const env = { ACTOR_REQUEST_STATE_TTL_MS: '200000', JOINER_SESSION_TIMEOUT_MS: '120000', JOINER_REWARD_WAIT_MS: '60000' };
    const violations = crossServiceViolations(env, ALL);
    assert.equal(violations.length, 1);
    assert.match(violations[0]!.message, /ACTOR_REQUEST_STATE_TTL_MS=200000 .* = 240000/);
    assert.deepEqual(crossServiceViolations({ ...env, ACTOR_REQUEST_STATE_TTL_MS: '240000' }, ALL), []);
    assert.deepEqual(crossServiceViolations(env, ['actor', 'learner']), []);
  });

  it('catch an n-step wait that ends before a session does, only when n-step returns are on', () => {
    const env = { LEARNER_N_STEP_MAX_WAIT_MS: '100000', JOINER_SESSION_TIMEOUT_MS: '120000', JOINER_JOIN_WAIT_MS: '1000' };
    assert.deepEqual(crossServiceViolations(env, ALL), []);
    const violations = crossServiceViolations({ ...env, LEARNER_N_STEP: '3' }, ALL);
    assert.equal(violations.length, 1);
    assert.match(violations[0]!.message, /LEARNER_N_STEP_MAX_WAIT_MS=100000 is not above .* = 121000/);
    assert.deepEqual(crossServiceViolations({ ...env, LEARNER_N_STEP: '3', LEARNER_N_STEP_MAX_WAIT_MS: '121001' }, ALL), []);
  });
});
