import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  openTestContext,
  prometheusInstalled,
  runSimulator,
  startPlatform,
  startPrometheus,
  temporaryDirectory,
  waitFor,
  type PrometheusServer,
  type StartedPlatform,
  type TestContext,
} from '../harness';

/**
 * The dashboard and the alerts against a live run: `npm start` (infra/bin/start) in a test namespace, the
 * simulated platform driving it, and Debian's prometheus scraping every process with
 * infra/prometheus/rules.yml loaded. Every dashboard expression and every rule's expression must return
 * series (an alert's comparisons evaluated with `bool`, so a quiet alert still shows its signal exists);
 * a misspelt metric or label returns nothing and fails here.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const DASHBOARD = path.join(REPO_ROOT, 'infra', 'grafana', 'dashboards', 'recommender.json');
const RULES = path.join(REPO_ROOT, 'infra', 'prometheus', 'rules.yml');

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}

/** `a > 1 and b == 0` -> `a > bool 1 and b == bool 0`: each comparison with a number yields 0/1 series. */
function withBool(expr: string): string[] {
  return expr.split(/\s+and\s+/).map((part) => part.replace(/\s*(==|!=|>=|<=|>|<)\s*(-?[0-9.e+]+)\s*$/, ' $1 bool $2'));
}

/** The rules of rules.yml: alert and record names with their expressions (a YAML subset: one-line exprs). */
function rulesOf(file: string): Array<{ name: string; expr: string; alert: boolean }> {
  const rules: Array<{ name: string; expr: string; alert: boolean }> = [];
  let current: { name: string; alert: boolean } | null = null;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const named = /^\s+- (alert|record): (\S+)\s*$/.exec(line);
    if (named !== null) current = { name: named[2], alert: named[1] === 'alert' };
    const expr = /^\s+expr: (.+)$/.exec(line);
    if (expr !== null && current !== null) {
      rules.push({ ...current, expr: expr[1].trim() });
      current = null;
    }
  }
  return rules;
}

// In CI (.ci/run installs it through infra/bin/tools-up) a missing prometheus is a failure, elsewhere a skip.
const skip = prometheusInstalled() || process.env.CI === 'true' ? false : "Debian's prometheus is not installed (apt-get install prometheus; infra/bin/tools-up does)";

describe('dashboard and alert expressions against a live run', { skip }, () => {
  let ctx: TestContext;
  let platform: StartedPlatform | null = null;
  let prometheus: PrometheusServer | null = null;

  before(async () => {
    ctx = await openTestContext('observe');
    await ctx.createTopics(4);
    platform = await startPlatform(ctx.ns, { env: { LEARNER_WARMUP: '200', LEARNER_BATCH_SIZE: '64' } });
    prometheus = await startPrometheus(
      platform.processes.filter((entry) => entry.name !== 'status-page').map((entry) => ({ job: entry.name.replace(/-\d+$/, ''), address: new URL(entry.metricsUrl).host })),
      [RULES],
    );
    const reportDir = temporaryDirectory(after, 'rec-observe-sim-');
    const simulated = await runSimulator({
      ...ctx.ns.env,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      SIM_REQUESTS: '1500',
      SIM_CATALOG_SIZE: '200',
      SIM_USERS: '300',
      SIM_CLOCK: 'wall',
      SIM_REPORT_DIR: reportDir,
      SIM_PROGRESS_INTERVAL_MS: '0',
    });
    assert.equal(simulated.code, 0, `the simulator failed:\n${simulated.output.slice(-3_000)}`);
    // One request that breaks the contract, so the dead-letter series exist.
    await ctx.produceMessages(ctx.ns.topics.requests, [{ key: 'broken-user', value: Buffer.from('not avro at all') }]);
    await waitFor(async () => (await prometheus!.query('max(rec_model_version{service="parameter-server"}) > 0')).length > 0, {
      what: 'a trained model version to be scraped',
      timeoutMs: 120_000,
      intervalMs: 500,
    });
  });

  /**
   * The expressions among `exprs` that return no series, after giving Prometheus up to 60 s of scrapes and
   * rule evaluations (a rate needs two samples of a series, a recorded series one evaluation after that).
   */
  async function withoutSeries(exprs: string[]): Promise<string[]> {
    let empty = exprs;
    const deadline = Date.now() + 60_000;
    do {
      const results = await Promise.all(empty.map(async (expr) => ({ expr, series: (await prometheus!.query(expr)).length })));
      empty = results.filter((result) => result.series === 0).map((result) => result.expr);
      if (empty.length > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    } while (empty.length > 0 && Date.now() < deadline);
    return empty;
  }

  after(async () => {
    await prometheus?.stop();
    await platform?.interrupt();
    await ctx.cleanup();
  });

  it('scrapes every process', async () => {
    // Each target answered a scrape within the last minute (a learner busy training on a loaded machine may
    // miss a scrape deadline now and then; that is a 0 at one instant, not a missing target).
    const up = await prometheus!.query('max_over_time(up[1m])');
    assert.deepEqual(up.map((sample) => sample.metric.job).sort(), ['actor', 'joiner', 'learner', 'parameter-server'], JSON.stringify({ up, processes: platform!.processes }));
    for (const sample of up) assert.equal(sample.value[1], '1', `${sample.metric.job} was scraped`);
  });

  it('every dashboard expression returns series', async () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    assert.ok(exprs.length >= 12, `${exprs.length} dashboard expressions`);
    assert.deepEqual(await withoutSeries(exprs), [], 'dashboard expressions without series');
  });

  it('every recording rule and every alert signal returns series, and Prometheus evaluates them without error', async () => {
    const rules = rulesOf(RULES);
    assert.ok(rules.filter((rule) => rule.alert).length >= 5 && rules.filter((rule) => !rule.alert).length >= 5, `rules found: ${rules.map((rule) => rule.name).join(', ')}`);
    const exprs = rules.flatMap((rule) => (rule.alert ? withBool(rule.expr) : [rule.expr]));
    assert.deepEqual(await withoutSeries(exprs), [], 'rule expressions without series');
    const loaded = await prometheus!.rules();
    assert.deepEqual(loaded.map((rule) => rule.name).sort(), rules.map((rule) => rule.name).sort());
    for (const rule of loaded) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? ''}`);
  });
});
