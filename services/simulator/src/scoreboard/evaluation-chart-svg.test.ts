import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderEvaluationChart, type EvaluationSeries } from './evaluation-chart-svg';

const windows = [1_500, 3_000, 4_500, 6_000, 7_500, 9_000, 10_500, 12_000];

function series(start: number, end: number, halfWidth: number): EvaluationSeries {
  const mean = windows.map((_, at) => start + ((end - start) * at) / (windows.length - 1));
  return { mean, lo: mean.map((value) => value - halfWidth), hi: mean.map((value) => value + halfWidth) };
}

function attribute(svg: string, name: string): number {
  const match = svg.match(new RegExp(`${name}="([^"]+)"`));
  assert.ok(match !== null, `${name} present`);
  return Number(match[1]);
}

test('evaluation chart: x axis ends at the data, a band and a mean per policy, y fitted to the policies, the oracle labelled off-scale', () => {
  const svg = renderEvaluationChart({
    world: 'raw-features',
    requests: 12_000,
    windows,
    seeds: [101, 102, 103, 104, 105],
    policies: { random: series(0.99, 1.0, 0.05), popularity: series(1.6, 2.1, 0.1), ddqn: series(1.0, 1.3, 0.15) },
    oracle: 3.59,
  });
  assert.match(svg, /^<svg /);
  assert.equal(attribute(svg, 'data-x-max'), 12_000, 'the x axis ends where the data ends');
  const xTicks = [...svg.matchAll(/class="x-tick"[^>]*>([^<]+)</g)].map((match) => match[1]);
  assert.equal(xTicks[xTicks.length - 1], '12k');
  assert.ok(!xTicks.includes('20k') && !xTicks.includes('15k'), `ticks ${xTicks.join(' ')}`);
  assert.equal((svg.match(/<path class="band"/g) ?? []).length, 3, 'one band per policy');
  assert.equal((svg.match(/<path class="mean"/g) ?? []).length, 3, 'one mean line per policy');
  for (const name of ['random', 'popularity', 'ddqn']) assert.match(svg, new RegExp(`<text[^>]*>${name}</text>`), `legend names ${name}`);
  // The band's path closes (forward along hi, back along lo).
  assert.match(svg, /<path class="band" data-policy="random" d="M[^"]+ Z"/);
  const yMin = attribute(svg, 'data-y-min');
  const yMax = attribute(svg, 'data-y-max');
  assert.ok(yMax < 3.59, `y max ${yMax} is fitted to the policies, not the oracle`);
  assert.ok((2.2 - 0.94) / (yMax - yMin) > 0.6, 'the policies fill most of the axis');
  assert.match(svg, /oracle 3\.590 \(above the axis\)/);
  assert.match(svg, /data-placement="above"/);
});

test('evaluation chart: an oracle within reach is a dashed reference line on the axis', () => {
  const svg = renderEvaluationChart({ world: 'latent', requests: 5_000, windows: [2_500, 5_000], policies: { ddqn: { mean: [2, 2.5], lo: [1.8, 2.3], hi: [2.2, 2.7] } }, oracle: 2.9 });
  assert.match(svg, /data-placement="on"/);
  assert.match(svg, /stroke-dasharray="6,4"/);
  assert.match(svg, />oracle 2\.900</);
  assert.ok(attribute(svg, 'data-y-max') >= 2.9);
  assert.equal(attribute(svg, 'data-x-max'), 5_000);
});
