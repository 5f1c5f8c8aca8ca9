import { countAxisTicks, fitValueAxis, formatCount, formatValue } from './chart-axes';
import { escapeXml } from './escape-xml';
import { ORACLE_POLICY, type CurveWindow } from './simulation-ledger';

/** One line of a chart panel. */
export interface ChartSeries {
  name: string;
  points: { x: number; y: number }[];
  dashed: boolean;
}

const WIDTH = 920;
const PANEL_HEIGHT = 280;
const MARGIN = { left: 70, right: 190, top: 40, bottom: 50 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
const ORACLE_COLOR = '#555555';

/** The two learning-curve panels' series from a report's curve: reward per request and CTR per window. */
export function curveSeries(curve: readonly CurveWindow[]): { reward: ChartSeries[]; ctr: ChartSeries[] } {
  const names = [...new Set(curve.flatMap((window) => Object.keys(window.policies)))];
  // The oracle last, so served policies get the first colours.
  names.sort((a, b) => Number(a === ORACLE_POLICY) - Number(b === ORACLE_POLICY) || a.localeCompare(b));
  const series = (pick: (entry: { rewardPerRequest: number; ctr: number }) => number): ChartSeries[] =>
    names.map((name) => ({
      name,
      dashed: name === ORACLE_POLICY,
      points: curve
        .filter((window) => window.policies[name] !== undefined && window.policies[name].requests > 0)
        .map((window) => ({ x: window.toRequest, y: pick(window.policies[name]) })),
    }));
  return { reward: series((entry) => entry.rewardPerRequest), ctr: series((entry) => entry.ctr) };
}

/**
 * A hand-written SVG: two stacked panels (reward per request, CTR) against answered requests, one line
 * per policy (the oracle dashed), with axes, ticks and a legend. The axes follow chart-axes.ts: y fitted
 * to the served policies with the oracle as a reference (off-scale when far above), x ending at the
 * last window.
 */
export function learningCurveSvg(curve: readonly CurveWindow[], title: string): string {
  const { reward, ctr } = curveSeries(curve);
  const height = 2 * PANEL_HEIGHT + 40;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    panel(reward, 'reward per request', 30, (value, step) => formatValue(value, step)),
    panel(ctr, 'CTR (clicks / impressions)', 30 + PANEL_HEIGHT, (value, step) => `${formatValue(100 * value, 100 * step)}%`),
    legend(reward),
    '</svg>',
  ];
  return parts.join('\n') + '\n';
}

/** One panel; `format(value, step)` labels a value on an axis whose ticks are `step` apart. */
function panel(series: ChartSeries[], label: string, top: number, format: (value: number, step: number) => string): string {
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const plotTop = top + MARGIN.top;
  const bottom = top + PANEL_HEIGHT - MARGIN.bottom + 10;
  const served = series.filter((line) => line.name !== ORACLE_POLICY);
  const oracle = series.find((line) => line.name === ORACLE_POLICY && line.points.length > 0);
  const oracleValues = oracle?.points.map((point) => point.y) ?? [];
  // Fitted to the served policies; the oracle is a reference (its highest window decides whether it fits).
  const { axis, reference } = fitValueAxis(
    (served.some((line) => line.points.length > 0) ? served : series).flatMap((line) => line.points.map((point) => point.y)),
    oracleValues.length > 0 ? Math.max(...oracleValues) : null,
  );
  const xEnd = Math.max(1, ...series.flatMap((line) => line.points.map((point) => point.x)));
  const sx = (x: number) => left + (x / xEnd) * (right - left);
  const sy = (y: number) => bottom - ((y - axis.min) / (axis.max - axis.min)) * (bottom - plotTop);
  const step = axis.ticks.length > 1 ? axis.ticks[1] - axis.ticks[0] : 1;
  const out: string[] = [`<g class="panel" data-y-min="${axis.min}" data-y-max="${axis.max}" data-x-max="${xEnd}">`];
  out.push(`<text x="${left}" y="${plotTop - 10}" font-weight="bold">${escapeXml(label)}</text>`);
  for (const tick of axis.ticks) {
    out.push(`<line x1="${left}" y1="${sy(tick).toFixed(1)}" x2="${right}" y2="${sy(tick).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${(sy(tick) + 4).toFixed(1)}" text-anchor="end">${format(tick, step)}</text>`);
  }
  for (const tick of countAxisTicks(xEnd)) {
    out.push(`<line x1="${sx(tick).toFixed(1)}" y1="${bottom}" x2="${sx(tick).toFixed(1)}" y2="${bottom + 5}" stroke="black"/>`);
    out.push(`<text class="x-tick" x="${sx(tick).toFixed(1)}" y="${bottom + 18}" text-anchor="middle">${formatCount(tick)}</text>`);
  }
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="black"/>`);
  out.push(`<line x1="${left}" y1="${plotTop}" x2="${left}" y2="${bottom}" stroke="black"/>`);
  out.push(`<text x="${(left + right) / 2}" y="${bottom + 34}" text-anchor="middle">answered requests</text>`);
  series.forEach((line, index) => {
    if (line.points.length === 0) return;
    if (line === oracle && reference !== null && reference.placement !== 'on') {
      // Off the fitted axis: an arrow at the edge with the oracle's mean, instead of squeezing the policies.
      const mean = oracleValues.reduce((sum, value) => sum + value, 0) / oracleValues.length;
      const edge = reference.placement === 'above' ? plotTop : bottom;
      const arrow = reference.placement === 'above' ? `M${right - 12},${edge + 2} l6,-8 l6,8 Z` : `M${right - 12},${edge - 2} l6,8 l6,-8 Z`;
      out.push(`<path d="${arrow}" fill="${ORACLE_COLOR}"/>`);
      out.push(`<text x="${right - 16}" y="${edge - 6}" text-anchor="end" fill="${ORACLE_COLOR}">${escapeXml(`oracle ${format(mean, threeFigures(mean))} (mean; ${reference.placement} the axis)`)}</text>`);
      return;
    }
    const color = colorOf(line, index);
    const path = line.points.map((point, at) => `${at === 0 ? 'M' : 'L'}${sx(point.x).toFixed(1)},${sy(point.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="6,4"' : ''}/>`);
    for (const point of line.points) out.push(`<circle cx="${sx(point.x).toFixed(1)}" cy="${sy(point.y).toFixed(1)}" r="2.5" fill="${color}"/>`);
  });
  out.push('</g>');
  return out.join('\n');
}

function legend(series: ChartSeries[]): string {
  const x = WIDTH - MARGIN.right + 20;
  return series
    .map((line, index) => {
      const y = 70 + 20 * index;
      const color = colorOf(line, index);
      return [
        `<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="6,4"' : ''}/>`,
        `<text x="${x + 36}" y="${y + 4}">${escapeXml(line.name)}</text>`,
      ].join('\n');
    })
    .join('\n');
}

/** The label step that shows `value` to three significant figures. */
function threeFigures(value: number): number {
  return 10 ** (Math.floor(Math.log10(Math.abs(value) || 1)) - 2);
}

function colorOf(line: ChartSeries, index: number): string {
  return line.name === ORACLE_POLICY ? ORACLE_COLOR : COLORS[index % COLORS.length];
}
