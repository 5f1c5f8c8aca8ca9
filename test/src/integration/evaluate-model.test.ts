import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServiceRuntime } from '@rec/shared';
import { openTestContext, runRec, runSimulator, temporaryDirectory, waitFor, type TestContext } from '../harness';
import { ServiceStack, metricValue } from '../harness/service-stack';

/**
 * `rec evaluate` against the truth, on the real broker and Redis, services in-process and the simulator
 * (the real program) as the platform, in its stationary world (SIM_SCENARIO=static, a static catalog):
 *
 *   1. on-policy: the live model is pinned (version 0, the parameter server's seeded weights; no learner
 *      runs, and the pin would hold it if one did) and the actors serve it epsilon-greedily with
 *      TARGET_EPSILON; its reward per slot, from the joiner's transitions, with a 95% interval;
 *   2. a different logging policy with full support: the actor's popularity policy with epsilon 0.5,
 *      logging exact propensities;
 *   3. the live model's export (`rec export`) evaluated off-policy on the popularity run's log.
 *
 * The off-policy 95% intervals (IPS, SNIPS, DR) must overlap the on-policy 95% interval. (The point
 * estimate is not required to fall inside the on-policy interval: with these sizes their standard errors
 * are alike, so it would miss by chance about half the time.) The unweighted log (the popularity policy's
 * own reward, which the weights correct) is reported beside them. A small catalog (20 items), slates of
 * 5, a logging epsilon of 0.8 and a target epsilon of 0.3 keep the largest weight near 18. On the model's own log every importance weight must be 1
 * (the candidate's ranking and marginals reproduce what the actor logged), which checks the scoring path
 * exactly.
 */

const TARGET_EPSILON = 0.3;
const LOGGING_EPSILON = 0.8;
const SIMULATION: Record<string, string> = {
  METRICS_PORT: '0',
  LOG_LEVEL: 'warn',
  SIM_SEED: '7',
  SIM_SCENARIO: 'static',
  SIM_CATALOG_SIZE: '20',
  SIM_CATEGORIES: '6',
  SIM_USERS: '4000',
  SIM_SLATE_SIZE: '5',
  SIM_CLOCK: 'wall',
  SIM_CATALOG_UPDATE_EVERY: '0',
  SIM_ORGANIC_EVENTS_PER_REQUEST: '0',
  SIM_PROGRESS_INTERVAL_MS: '0',
};
const ON_POLICY_REQUESTS = 800;
const LOGGED_REQUESTS = 2500;

interface Interval {
  value: number;
  standardError: number;
  ci95: [number, number];
}
interface EvaluateReport {
  requests: number;
  slots: number;
  policies: string[];
  ips: Interval;
  snips: Interval;
  dr: Interval;
  logged: Interval;
  matchedSlots: number;
  effectiveSampleSize: number;
  maxWeight: number;
}

const overlaps = (a: Interval, b: Interval) => a.ci95[0] <= b.ci95[1] && b.ci95[0] <= a.ci95[1];
const show = (interval: Interval) => `${interval.value.toFixed(4)} [${interval.ci95[0].toFixed(4)}, ${interval.ci95[1].toFixed(4)}]`;

describe('rec evaluate: off-policy estimates of the live model against its on-policy reward', () => {
  let ctx: TestContext;
  let env: NodeJS.ProcessEnv;
  let stack: ServiceStack;
  let joiner: ServiceRuntime;
  let servedItems = 0;

  const rec = (...argv: string[]) => runRec(env, ...argv);
  /** The simulator's reports, one folder per run, all removed when the suite ends. */
  const reportsDir = temporaryDirectory(after, 'rec-evaluate-');

  /** Runs the simulator against an actor with `actorEnv`, then waits for the joiner to emit a transition for every item served. */
  const simulate = async (runId: string, requests: number, actorEnv: Record<string, string>, ready: (actor: ServiceRuntime) => Promise<void> = async () => undefined) => {
    const actor = await stack.actor(actorEnv);
    await ready(actor);
    const simulated = await runSimulator({ ...ctx.ns.env, ...SIMULATION, SIM_REQUESTS: String(requests), SIM_RUN_ID: runId, SIM_REPORT_DIR: fs.mkdtempSync(path.join(reportsDir, `${runId}-`)) });
    assert.equal(simulated.code, 0, `the simulator failed:\n${simulated.output.slice(-3_000)}`);
    servedItems += await metricValue(actor, 'rec_actor_slate_items_total');
    await actor.shutdown();
    await waitFor(async () => (await metricValue(joiner, 'rec_produced_messages_total', { topic: ctx.ns.topics.transitions })) >= servedItems, {
      what: `the joiner to emit a transition for each of ${servedItems} served items`,
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  };

  // Two simulated runs (3,300 requests): about a minute on a loaded two-core machine.
  before(async () => {
    ctx = await openTestContext('evaluate');
    await ctx.createTopics(2);
    stack = new ServiceStack(ctx, { JOINER_REWARD_WAIT_MS: '2000', ACTOR_PIN_POLL_MS: '100', ACTOR_MAX_BATCH: '64' });
    env = stack.env();
    await stack.parameterServer();
    joiner = await stack.joiner();
    await waitFor(async () => (await rec('pin', '0')).code === 0, { what: 'version 0 in the weights history, pinned', timeoutMs: 30_000, intervalMs: 200 });
    const epsilon = String(TARGET_EPSILON);
    await simulate('on-policy', ON_POLICY_REQUESTS, { ACTOR_POLICY: 'ddqn', ACTOR_EPSILON_START: epsilon, ACTOR_EPSILON_END: epsilon }, async (actor) => {
      await waitFor(async () => (await metricValue(actor, 'rec_actor_pinned_version')) === 0, { what: 'the actor to serve the pinned version', timeoutMs: 10_000, intervalMs: 50 });
    });
    const logging = String(LOGGING_EPSILON);
    await simulate('logging', LOGGED_REQUESTS, { ACTOR_POLICY: 'popularity', ACTOR_EPSILON_START: logging, ACTOR_EPSILON_END: logging, ACTOR_POPULARITY_REFRESH_MS: '500' });
  }, { timeout: 240_000 });

  after(() => ctx.cleanup());

  it('on the model\'s own log every weight is 1 and every estimate is its on-policy reward', async () => {
    const { code, out, err } = await rec('evaluate', '--version', '0', '--epsilon', String(TARGET_EPSILON), '--policy', 'ddqn', '--json');
    assert.equal(code, 0, err);
    const report = JSON.parse(out) as EvaluateReport;
    assert.ok(report.requests >= ON_POLICY_REQUESTS * 0.9, `${report.requests} requests`);
    assert.equal(report.matchedSlots, report.slots);
    assert.ok(Math.abs(report.maxWeight - 1) < 1e-6, `largest weight ${report.maxWeight}`);
    assert.ok(Math.abs(report.ips.value - report.logged.value) < 1e-9);
    assert.ok(Math.abs(report.snips.value - report.logged.value) < 1e-9);
    // The same as a table for the operator.
    const table = await rec('evaluate', '--version', '0', '--epsilon', String(TARGET_EPSILON), '--policy', 'ddqn');
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /IPS .*\n\s+SNIPS .*\n\s+doubly robust .*\n\s+logged policy /);
    assert.match(table.out, new RegExp(`matched slots ${report.slots}/${report.slots}`));
  });

  it('the export of the live model, evaluated on the popularity run\'s log, lands on its on-policy reward', async (t) => {
    const onPolicy = JSON.parse((await rec('evaluate', '--version', '0', '--epsilon', String(TARGET_EPSILON), '--policy', 'ddqn', '--json')).out) as EvaluateReport;
    const dir = temporaryDirectory(t.after.bind(t), 'rec-evaluate-export-');
    assert.equal((await rec('export', '--version', '0', '--out', dir)).code, 0);
    const { code, out, err } = await rec('evaluate', '--model', dir, '--epsilon', String(TARGET_EPSILON), '--policy', 'popularity', '--json');
    assert.equal(code, 0, err);
    const offPolicy = JSON.parse(out) as EvaluateReport;
    t.diagnostic(`on-policy reward per slot of version 0 (epsilon ${TARGET_EPSILON}): ${show(onPolicy.logged)} over ${onPolicy.requests} requests`);
    t.diagnostic(`off-policy on ${offPolicy.requests} popularity requests: IPS ${show(offPolicy.ips)}, SNIPS ${show(offPolicy.snips)}, DR ${show(offPolicy.dr)}`);
    t.diagnostic(`the popularity policy's own reward per slot: ${show(offPolicy.logged)}; matched ${offPolicy.matchedSlots}/${offPolicy.slots} slots, ESS ${offPolicy.effectiveSampleSize.toFixed(0)}, largest weight ${offPolicy.maxWeight.toFixed(1)}`);
    assert.deepEqual(offPolicy.policies, ['popularity']);
    assert.ok(offPolicy.requests >= LOGGED_REQUESTS * 0.9, `${offPolicy.requests} requests`);
    for (const name of ['ips', 'snips', 'dr'] as const) {
      assert.ok(overlaps(offPolicy[name], onPolicy.logged), `${name} ${show(offPolicy[name])} does not overlap the on-policy ${show(onPolicy.logged)}`);
    }
  });
});
