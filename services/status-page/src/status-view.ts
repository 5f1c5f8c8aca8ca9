import type { Bucket, DeadLetterNote } from './live-figures';
import { svgLineChart } from './svg-line-chart';

/** Everything one rendering of the page shows. */
export interface StatusData {
  buckets: Bucket[];
  bucketMs: number;
  errors: DeadLetterNote[];
  model: { modelId: string; publishedVersion: number | null; pinnedVersion: number | null };
  lag: Array<{ group: string; topic: string; lag: number | null }>;
  topicPrefix: string;
  generatedAt: number;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const fixed = (digits: number) => (value: number) => value.toFixed(digits);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The status page: plain HTML and inline SVG, refreshing itself every few seconds. */
export function renderStatusPage(data: StatusData): string {
  const { buckets } = data;
  const spanMinutes = Math.round((buckets.length * data.bucketMs) / 60_000);
  const seconds = data.bucketMs / 1000;
  const chart = (id: string, title: string, values: Array<number | null>, format: (value: number) => string, colour = '#1f77b4') =>
    svgLineChart({ id, title, spanMinutes, format, series: [{ label: title, colour, values }] });
  const charts = [
    chart('reward-per-request', 'Reward per request', buckets.map((bucket) => ratio(bucket.reward, bucket.actions)), fixed(3), '#2ca02c'),
    chart('ctr', 'CTR (clicks per item shown)', buckets.map((bucket) => ratio(bucket.clicks, bucket.shownItems)), percent, '#d62728'),
    chart('throughput', 'Requests answered per second', buckets.map((bucket) => bucket.actions / seconds), fixed(1)),
    chart('explore-ratio', 'Explore ratio (explored / shown)', buckets.map((bucket) => ratio(bucket.exploredItems, bucket.shownItems)), percent, '#9467bd'),
    chart('served-version', 'Model version served', buckets.map((bucket) => bucket.servedVersion), fixed(0), '#ff7f0e'),
  ];
  const totals = buckets.reduce(
    (sum, bucket) => ({ actions: sum.actions + bucket.actions, shown: sum.shown + bucket.shownItems, clicks: sum.clicks + bucket.clicks, reward: sum.reward + bucket.reward }),
    { actions: 0, shown: 0, clicks: 0, reward: 0 },
  );
  const lagRows = data.lag
    .map((row) => `<tr><td>${escape(row.group)}</td><td>${escape(row.topic)}</td><td class="num">${row.lag ?? '?'}</td></tr>`)
    .join('');
  const errorRows = data.errors
    .map((error) => `<tr><td>${new Date(error.at).toISOString()}</td><td>${escape(error.topic)}</td><td>${escape(error.reason)}</td><td>${escape(error.service)}</td><td>${escape(error.error)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>Recommender status</title>
<style>
body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { border: 1px solid #ddd; background: #fff; }
table { border-collapse: collapse; margin: 8px 0 16px; }
td, th { border: 1px solid #ddd; padding: 3px 8px; font-size: 13px; text-align: left; }
.num { text-align: right; }
.facts span { margin-right: 24px; }
</style>
</head>
<body>
<h1>Recommender status</h1>
<p class="facts"><span>model <b>${escape(data.model.modelId)}</b></span><span id="published-version">published version <b>${data.model.publishedVersion ?? 'none yet'}</b></span><span id="pinned-version">${data.model.pinnedVersion === null ? 'actors serve the newest version' : `actors pinned to <b>${data.model.pinnedVersion}</b>`}</span><span>topic prefix '${escape(data.topicPrefix)}'</span></p>
<p class="facts" id="totals"><span>last ${spanMinutes} min: <b>${totals.actions}</b> requests answered</span><span>reward per request <b>${totals.actions > 0 ? (totals.reward / totals.actions).toFixed(3) : '-'}</b></span><span>CTR <b>${totals.shown > 0 ? percent(totals.clicks / totals.shown) : '-'}</b></span></p>
<div class="charts">${charts.join('\n')}</div>
<h2>Consumer lag</h2>
<table id="lag"><tr><th>group</th><th>topic</th><th>messages behind</th></tr>${lagRows}</table>
<h2>Last dead letters</h2>
<table id="errors"><tr><th>when</th><th>topic</th><th>reason</th><th>service</th><th>error</th></tr>${errorRows || '<tr><td colspan="5">none since the page started</td></tr>'}</table>
<p>Generated ${new Date(data.generatedAt).toISOString()}; refreshes every 5 s. Machine-readable: <a href="/status.json">/status.json</a>.</p>
</body>
</html>
`;
}
