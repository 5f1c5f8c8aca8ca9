import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learningCurveSvg } from './learning-curve-svg';
import type { CurveWindow, RateSummary } from './simulation-ledger';

const rate = (rewardPerRequest: number, ctr: number): RateSummary => ({
  requests: 100,
  rewardPerRequest,
  ctr,
  clicksPerRequest: 10 * ctr,
  expectedRewardPerRequest: rewardPerRequest,
  oracleRewardPerRequest: 3.6,
});

test('learning curve: the x axis ends at the last window, y is fitted to the policies, a far oracle is marked off-scale', () => {
  // A 12,000-request run (the axis used to run to 20,000) whose oracle is far above the policies.
  const curve: CurveWindow[] = [0, 1, 2, 3].map((window) => ({
    window,
    fromRequest: 3_000 * window,
    toRequest: 3_000 * (window + 1),
    policies: { random: rate(1 + 0.01 * window, 0.03), ddqn: rate(1.1 + 0.3 * window, 0.035 + 0.005 * window), oracle: rate(3.6, 0.12) },
  }));
  const svg = learningCurveSvg(curve, 'test');
  const panels = [...svg.matchAll(/<g class="panel" data-y-min="([^"]+)" data-y-max="([^"]+)" data-x-max="([^"]+)">/g)];
  assert.equal(panels.length, 2);
  for (const [, , yMax, xMax] of panels) {
    assert.equal(Number(xMax), 12_000);
    assert.ok(Number(yMax) < 0.12 || (Number(yMax) > 1 && Number(yMax) < 3.6), `y max ${yMax} below the oracle`);
  }
  const xTicks = [...svg.matchAll(/class="x-tick"[^>]*>([^<]+)</g)].map((match) => match[1]);
  assert.equal(xTicks[xTicks.length - 1], '12k');
  assert.ok(!xTicks.includes('20k'));
  assert.match(svg, /oracle 3\.60 \(mean; above the axis\)/);
  assert.match(svg, /oracle 12\.0% \(mean; above the axis\)/);
  // The served policies are drawn as lines in both panels.
  assert.equal((svg.match(/<path d="M[0-9.]+,[0-9.]+ L/g) ?? []).length, 4);
});

test('learning curve: an oracle within reach of the policies is drawn on the axis as a dashed line', () => {
  const curve: CurveWindow[] = [0, 1].map((window) => ({
    window,
    fromRequest: 500 * window,
    toRequest: 500 * (window + 1),
    policies: { ddqn: rate(3 + 0.5 * window, 0.1 + 0.01 * window), oracle: rate(3.8, 0.115) },
  }));
  const svg = learningCurveSvg(curve, 'test');
  assert.doesNotMatch(svg, /above the axis/);
  assert.equal((svg.match(/<path d="[^"]+" fill="none" stroke="#555555" stroke-width="2" stroke-dasharray="6,4"\/>/g) ?? []).length, 2, 'the dashed oracle in both panels');
  for (const [, yMax] of svg.matchAll(/data-y-max="([^"]+)"/g)) assert.ok(Number(yMax) >= 0.115);
});
