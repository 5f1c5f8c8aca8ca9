import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runProcess, temporaryDirectory } from '../harness';

/**
 * The main job, small: `infra/bin/demo` (the README's first command) runs the simulated platform
 * against the real services as separate processes, on the real broker, with random slates, with the
 * popularity counter and with the Double DQN, on the same seed. Over the last quarter of its run the DQN
 * must beat random and popularity.
 *
 * The world is taste-drift at its default size (1,000 items, 2,000 users), where tastes move within and
 * across sessions: there a learner that personalises beats one global ranking by a structural margin.
 * Every policy is offered the same 150 requests/s: the popularity counter refreshes on wall time, so run
 * as fast as it is answered its figure depends on the machine's speed. The DQN has gamma 0, the services'
 * default (the contextual bandit).
 *
 * Why this configuration (2026-12-02): popularity's figure is one draw of a counter that locks in on what
 * its first slates got clicked, so the DQN's margin must be wider than that draw's spread. On the earlier
 * configuration (300 items, 500 users, 8,000 requests at 75/s) it was not: in process, last quarter, the
 * DQN 1.71-2.10 over 14 runs (exploration streams, replay streams, half the learner's speed), popularity
 * 1.10-1.85 over six exploration streams (one stream had the DQN 1.76 against 1.77), and the test failed in two clean-clone CI runs of about a dozen (DQN 1.381
 * against 1.663, 1.687 against 1.693). On this one, in process over the same kind of streams, the DQN's
 * last quarter was 2.43-2.90 over eight runs and popularity's 0.70-1.30 (mean 0.97, ten streams); through
 * the broker in five runs DQN 1.97-2.45 against popularity 0.67-1.40, the smallest margin 0.57 (README,
 * Results). The run takes the same wall time.
 *
 * Why the last quarter and not the report's final tenth: the last 4,000 requests, past the DQN's
 * warm-up, carry about two thirds of the window noise of the final 1,600.
 */

interface PolicyFigures {
  rewardPerRequest: number;
  ctr: number;
  rewardPerSession: number;
  finalWindow: { rewardPerRequest: number; ctr: number };
}

interface CurveWindow {
  fromRequest: number;
  toRequest: number;
  policies: Record<string, { requests: number; rewardPerRequest: number }>;
}

interface Report {
  requests: number;
  curve: CurveWindow[];
  scenario: string;
  world: string;
  policies: Record<string, PolicyFigures>;
}

describe('the demo, small', () => {
  it('runs every service and the simulator, writes the report, the DQN beats random and popularity', async (t) => {
    const reportDir = temporaryDirectory(t.after.bind(t), 'rec-demo-');
    const { code, output } = await runProcess('bash', ['infra/bin/demo'], {
      env: {
        DEMO_REPORT_DIR: reportDir,
        DEMO_SCENARIOS: 'default',
        DEMO_POLICIES: 'random popularity ddqn-gamma0',
        DEMO_REQUESTS: process.env.E2E_DEMO_REQUESTS ?? '16000',
        DEMO_BASELINE_REQUESTS: process.env.E2E_DEMO_REQUESTS ?? '16000',
        // 150 requests/s for every policy: the popularity counter's wall-clock refresh covers the same
        // requests in every run, and 16,000 requests take under two minutes a policy.
        DEMO_DQN_RATE: '150',
        DEMO_BASELINE_RATE: '150',
        SIM_WORLD: 'taste-drift',
        SIM_PROGRESS_INTERVAL_MS: '10000',
        LEARNER_WARMUP: '500',
        LEARNER_BATCH_SIZE: '128',
        ACTOR_EPSILON_DECAY_DECISIONS: '3000',
        LOG_LEVEL: 'warn',
      },
      timeoutMs: 470_000,
    });
    assert.equal(code, 0, `the demo failed:\n${output.slice(-4_000)}`);
    const report = JSON.parse(fs.readFileSync(path.join(reportDir, 'default', 'report.json'), 'utf8')) as Report;
    assert.equal(report.scenario, 'default');
    assert.equal(report.world, 'taste-drift');
    const names = Object.keys(report.policies);
    const dqnName = names.find((name) => name.startsWith('ddqn')) ?? 'ddqn';
    const dqn = report.policies[dqnName];
    const random = report.policies.random;
    const popularity = report.policies.popularity;
    assert.ok(dqn !== undefined && random !== undefined && popularity !== undefined && report.policies.oracle !== undefined, `policies: ${names.join(', ')}`);
    for (const figures of [dqn, random, popularity]) {
      for (const value of [figures.rewardPerRequest, figures.ctr, figures.finalWindow.rewardPerRequest, figures.finalWindow.ctr]) {
        assert.ok(Number.isFinite(value) && value >= 0);
      }
    }
    assert.ok(fs.existsSync(path.join(reportDir, 'default', 'learning-curve.svg')), 'the chart is written');
    const lastQuarter = (policy: string) => rewardPerRequestFrom(report, policy, Math.floor(report.requests * 0.75));
    const late = { dqn: lastQuarter(dqnName), popularity: lastQuarter('popularity'), random: lastQuarter('random') };
    t.diagnostic(
      `final-window reward per request: DQN ${dqn.finalWindow.rewardPerRequest}, popularity ${popularity.finalWindow.rewardPerRequest}, random ${random.finalWindow.rewardPerRequest}, oracle ${report.policies.oracle.finalWindow.rewardPerRequest}; ` +
        `last quarter: DQN ${late.dqn.toFixed(3)}, popularity ${late.popularity.toFixed(3)}, random ${late.random.toFixed(3)}`,
    );
    assert.ok(late.dqn > late.random, `DQN reward per request over the last quarter ${late.dqn} should beat random's ${late.random}`);
    assert.ok(late.dqn > late.popularity, `DQN reward per request over the last quarter ${late.dqn} should beat popularity's ${late.popularity}`);
  });
});

/** A policy's reward per request over the curve's windows that start at or after `fromRequest`. */
function rewardPerRequestFrom(report: Report, policy: string, fromRequest: number): number {
  let reward = 0;
  let requests = 0;
  for (const window of report.curve) {
    const figures = window.policies[policy];
    if (window.fromRequest < fromRequest || figures === undefined) continue;
    reward += figures.rewardPerRequest * figures.requests;
    requests += figures.requests;
  }
  assert.ok(requests > 0, `no ${policy} windows from request ${fromRequest} in the curve`);
  return reward / requests;
}
