import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { Prng } from '../random/prng';
import { uniformRandomPolicy } from '../policies/uniform-random-policy';
import { runInProcess } from '../in-process-run.fixture';
import { readReport, writeReport } from './report-writer';
import { buildReport } from './simulation-report';
import { terminalTable } from './terminal-table';

test('report.json has the agreed shape; the SVG chart, the CSV and the table are written', async () => {
  const run = await runInProcess({ SIM_REQUESTS: '1000', SIM_USERS: '100', SIM_REPORT_WINDOWS: '5' }, (world) => uniformRandomPolicy(world, new Prng(1)));
  const report = buildReport(run.ledger.summary(), {
    requests: run.outcome.issued,
    world: 'latent',
    scenario: 'default',
    seed: 42,
    catalogSize: 1000,
    users: 100,
    slateSize: 10,
    runId: 'test',
    startedAt: new Date(0),
    wallSeconds: run.outcome.wallSeconds,
    virtualHours: run.outcome.virtualHours,
  });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sim-report-'));
  const written = await writeReport(dir, report);
  const json = JSON.parse(await fs.readFile(written.json, 'utf8')) as Record<string, unknown>;
  assert.equal(json.requests, 1000);
  assert.equal(json.scenario, 'default');
  assert.equal(json.world, 'latent');
  const policies = json.policies as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(policies).sort(), ['oracle', 'random']);
  for (const entry of Object.values(policies)) {
    for (const field of ['rewardPerRequest', 'ctr', 'rewardPerSession']) assert.equal(typeof entry[field], 'number', field);
    const finalWindow = entry.finalWindow as Record<string, unknown>;
    assert.equal(typeof finalWindow.rewardPerRequest, 'number');
    assert.equal(typeof finalWindow.ctr, 'number');
  }
  assert.deepEqual(await readReport(dir), report);

  const svg = await fs.readFile(written.svg, 'utf8');
  assert.match(svg, /^<svg /);
  assert.match(svg, /reward per request/);
  assert.match(svg, /CTR/);
  assert.equal((svg.match(/<path d="M[0-9.]+,[0-9.]+ L/g) ?? []).length, 2, "random's line in each of two panels");
  // The oracle earns several times random's reward: a labelled reference off the fitted axis, in both panels.
  assert.equal((svg.match(/oracle [^<]+ \(mean; above the axis\)/g) ?? []).length, 2);
  const csv = (await fs.readFile(written.csv, 'utf8')).trim().split('\n');
  assert.equal(csv[0], 'window,fromRequest,toRequest,policy,requests,rewardPerRequest,ctr,clicksPerRequest,expectedRewardPerRequest,oracleRewardPerRequest');
  assert.equal(csv.length, 1 + 5 * 2);
  const table = terminalTable(report);
  assert.match(table, /random/);
  assert.match(table, /oracle/);
  await fs.rm(dir, { recursive: true });
});
