import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { openTestContext, runSimulator, startPlatform, temporaryDirectory, waitFor, type StartedPlatform, type TestContext } from '../harness';

/**
 * The live status page in a real browser: `npm start` (with its status page) in a test namespace, the
 * simulated platform driving it, and Debian's Chromium (headless, through playwright-core) loading
 * /status. Every chart must have drawn lines from the live streams, the lag table must list the groups,
 * and the page must name the published model version; a screenshot is saved for a human to look at.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// In CI (.ci/run installs it through infra/bin/tools-up) a missing Chromium is a failure, elsewhere a skip.
const skip = fs.existsSync(CHROMIUM) || process.env.CI === 'true' ? false : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium; infra/bin/tools-up does)`;
/** Where the screenshot goes: TEST_OUTPUT_DIR, else test-output/ at the repository root. */
const OUTPUT_DIR = process.env.TEST_OUTPUT_DIR ?? path.join(REPO_ROOT, 'test-output');

describe('the live status page in headless Chromium', { skip }, () => {
  let ctx: TestContext;
  let platform: StartedPlatform | null = null;
  let browser: BrowserContext | null = null;
  let userDataDir = '';

  before(async () => {
    ctx = await openTestContext('status-page');
    await ctx.createTopics(4);
    // One-second points, so a short run draws lines.
    platform = await startPlatform(ctx.ns, { env: { LEARNER_WARMUP: '200', LEARNER_BATCH_SIZE: '64', STATUS_BUCKET_MS: '1000', STATUS_BUCKETS: '120' } });
    const simulated = await runSimulator({
      ...ctx.ns.env,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      SIM_REQUESTS: '1500',
      SIM_CATALOG_SIZE: '200',
      SIM_USERS: '300',
      SIM_CLOCK: 'wall',
      SIM_REQUESTS_PER_SECOND: '250',
      SIM_REPORT_DIR: temporaryDirectory(after, 'rec-status-sim-'),
      SIM_PROGRESS_INTERVAL_MS: '0',
    });
    assert.equal(simulated.code, 0, `the simulator failed:\n${simulated.output.slice(-3_000)}`);
    // A request that breaks the contract, for the dead-letter table.
    await ctx.produceMessages(ctx.ns.topics.requests, [{ key: 'broken-user', value: Buffer.from('not avro at all') }]);
    const statusJson = `${platform.urlOf('status-page')}/status.json`;
    await waitFor(async () => ((await (await fetch(statusJson)).json()) as { errors: unknown[] }).errors.length > 0, { what: 'the dead letter on the status page', timeoutMs: 30_000, intervalMs: 250 });
    // A fresh profile (--user-data-dir, which playwright takes as launchPersistentContext's first argument).
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1000, height: 1400 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    await platform?.interrupt();
    await ctx.cleanup();
    if (userDataDir !== '') fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  it('renders every chart with lines from the live streams, the lag per group and the last dead letter', async (t) => {
    const page = await browser!.newPage();
    const response = await page.goto(`${platform!.urlOf('status-page')}/status`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'Recommender status');

    const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((svg) => ({ id: svg.id, values: Number(svg.getAttribute('data-values')), lines: svg.querySelectorAll('polyline.line').length })));
    assert.deepEqual(charts.map((chart) => chart.id).sort(), ['ctr', 'explore-ratio', 'reward-per-request', 'served-version', 'throughput']);
    for (const chart of charts) {
      assert.ok(chart.values >= 2 && chart.lines >= 1, `chart ${chart.id} drew ${chart.lines} lines from ${chart.values} values`);
    }
    // The browser really laid the lines out: a drawn polyline has a non-empty box.
    const box = await page.locator('#throughput polyline.line').first().boundingBox();
    assert.ok(box !== null && box.width > 10, `throughput line box ${JSON.stringify(box)}`);

    const lagGroups = await page.$$eval('#lag tr td:first-child', (cells) => cells.map((cell) => cell.textContent ?? ''));
    for (const role of ['actor', 'joiner', 'learner', 'parameter-server']) assert.ok(lagGroups.includes(`${ctx.ns.topicPrefix}${role}`), `lag of ${role} in ${lagGroups.join(', ')}`);
    assert.match((await page.textContent('#errors')) ?? '', /decode/);
    assert.match((await page.textContent('#published-version')) ?? '', /published version \d+/);
    const totals = (await page.textContent('#totals')) ?? '';
    assert.match(totals, /\b([1-9]\d*) requests answered/);

    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
    const screenshot = path.join(OUTPUT_DIR, 'status-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(fs.statSync(screenshot).size > 10_000, 'a screenshot with content');
    t.diagnostic(`screenshot: ${screenshot}`);
    await page.close();
  });

  it('serves the same figures as JSON', async () => {
    const status = (await (await fetch(`${platform!.urlOf('status-page')}/status.json`)).json()) as { buckets: Array<{ actions: number }>; lag: unknown[] };
    assert.ok(status.buckets.reduce((sum, bucket) => sum + bucket.actions, 0) > 0);
    assert.equal(status.lag.length, 5);
  });
});
