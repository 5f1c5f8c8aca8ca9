import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CurveWindow, OracleSummary, PolicySummary, RateSummary } from './simulation-ledger';
import { mergeReports } from './merge-reports';
import { DEFINITIONS, type SimulationReport } from './simulation-report';

const rate = (reward: number): RateSummary => ({
  requests: 10,
  rewardPerRequest: reward,
  ctr: reward / 10,
  clicksPerRequest: reward,
  expectedRewardPerRequest: reward,
  oracleRewardPerRequest: 5,
});

function report(policy: string, reward: number, oracleReward: number): SimulationReport {
  const entry = { ...rate(reward), rewardPerSession: 3 * reward, finalWindow: rate(reward) } as unknown as PolicySummary;
  const oracle = { ...rate(oracleReward), rewardPerSession: 3 * oracleReward, sessions: 3, finalWindow: rate(oracleReward) } as OracleSummary;
  const curve: CurveWindow[] = [0, 1].map((window) => ({
    window,
    fromRequest: 10 * window,
    toRequest: 10 * window + 10,
    policies: { [policy]: rate(reward), oracle: rate(oracleReward) },
  }));
  return {
    requests: 20, answered: 20, timeouts: 0, scenario: 'default', seed: 42, catalogSize: 1000, users: 100, slateSize: 10,
    runId: policy, startedAt: new Date(0).toISOString(), wallSeconds: 1, virtualHours: 1, windowSize: 10, finalWindowSize: 2,
    definitions: DEFINITIONS, policies: { [policy]: entry, oracle }, curve,
  };
}

test('merging runs puts every policy side by side with one oracle and one curve', () => {
  const merged = mergeReports([
    { source: 'reports/ddqn', report: report('ddqn', 2, 5) },
    { source: 'reports/random', report: report('random', 1, 5.1) },
    { source: 'reports/ddqn-again', report: report('ddqn', 2.5, 5) },
  ]);
  assert.deepEqual(Object.keys(merged.policies).sort(), ['ddqn', 'ddqn@ddqn-again', 'oracle', 'random']);
  assert.equal(merged.policies.oracle.rewardPerRequest, 5);
  assert.equal(merged.policies['ddqn@ddqn-again'].rewardPerRequest, 2.5);
  assert.equal(merged.curve.length, 2);
  assert.deepEqual(Object.keys(merged.curve[1].policies).sort(), ['ddqn', 'ddqn@ddqn-again', 'oracle', 'random']);
  assert.equal(merged.curve[1].policies.oracle.rewardPerRequest, 5);
  assert.equal(merged.runs?.length, 3);
  assert.ok(merged.warnings?.some((warning) => warning.includes('oracle reward per request ranges')));
});

test('naming by run gives each single-policy run its directory name', () => {
  const merged = mergeReports(
    [
      { source: 'runs/default/ddqn-gamma0', report: report('ddqn', 2, 5) },
      { source: 'runs/default/ddqn-gamma0.9', report: report('ddqn', 2.5, 5) },
      { source: 'runs/default/random', report: report('random', 1, 5) },
    ],
    { nameByRun: true },
  );
  assert.deepEqual(Object.keys(merged.policies).sort(), ['ddqn-gamma0', 'ddqn-gamma0.9', 'oracle', 'random']);
  assert.equal(merged.policies['ddqn-gamma0.9'].rewardPerRequest, 2.5);
  assert.deepEqual(Object.keys(merged.curve[0].policies).sort(), ['ddqn-gamma0', 'ddqn-gamma0.9', 'oracle', 'random']);
});
