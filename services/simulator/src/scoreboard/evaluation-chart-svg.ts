import { countAxisTicks, fitValueAxis, formatCount, formatValue, type ReferencePlacement } from './chart-axes';
import { escapeXml } from './escape-xml';

/** One policy's curve over seeds: per window, the mean and the 95% interval [lo, hi]. */
export interface EvaluationSeries {
  mean: readonly number[];
  lo: readonly number[];
  hi: readonly number[];
}

export interface EvaluationChartInput {
  /** The world the runs were on (the title). */
  world: string;
  /** Requests per run (the title). */
  requests: number;
  /** The x of each window: requests answered by the window's end. The x axis ends at the last one. */
  windows: readonly number[];
  policies: Readonly<Record<string, EvaluationSeries>>;
  /** The oracle's value (e.g. expected reward per request): a labelled reference line, off-scale if far above. */
  oracle: number | null;
  /** Seeds the intervals are over (the subtitle). */
  seeds?: readonly number[];
  /** What y is; default 'reward per request'. */
  metric?: string;
}

const WIDTH = 920;
const HEIGHT = 480;
const PLOT = { left: 80, right: WIDTH - 230, top: 70, bottom: HEIGHT - 60 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
const ORACLE_COLOR = '#555555';

/**
 * The multi-seed evaluation chart of one world, as SVG: per policy its mean curve over windows of
 * requests and its 95% interval over seeds as a band; the y axis fitted to the policies (the oracle is a
 * dashed, labelled reference line, or an off-scale marker with its value when it is far above them); the
 * x axis ends at the last window. Policies keep their order in `policies` (and their colour).
 */
export function renderEvaluationChart(input: EvaluationChartInput): string {
  const names = Object.keys(input.policies);
  const values = names.flatMap((name) => {
    const series = input.policies[name];
    return [...series.mean, ...series.lo, ...series.hi];
  });
  const { axis, reference } = fitValueAxis(values, input.oracle);
  const xEnd = input.windows.length > 0 ? Math.max(...input.windows) : 1;
  const sx = (x: number) => PLOT.left + (x / xEnd) * (PLOT.right - PLOT.left);
  const sy = (y: number) => PLOT.bottom - ((y - axis.min) / (axis.max - axis.min)) * (PLOT.bottom - PLOT.top);
  const step = axis.ticks.length > 1 ? axis.ticks[1] - axis.ticks[0] : 1;
  const metric = input.metric ?? 'reward per request';
  const seeds = input.seeds ?? [];

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(`${input.world}: ${metric}, ${input.requests.toLocaleString('en-US')} requests per run`)}</text>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="44" text-anchor="middle" fill="#444">${escapeXml(
      `mean over ${seeds.length > 0 ? `${seeds.length} seeds (${seeds.join(', ')})` : 'seeds'}; bands: 95% interval; y axis fitted to the policies`,
    )}</text>`,
  ];

  // Axes, grid and ticks.
  out.push(`<g class="y-axis" data-y-min="${axis.min}" data-y-max="${axis.max}">`);
  for (const tick of axis.ticks) {
    out.push(`<line x1="${PLOT.left}" y1="${f(sy(tick))}" x2="${PLOT.right}" y2="${f(sy(tick))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${PLOT.left - 6}" y="${f(sy(tick) + 4)}" text-anchor="end">${formatValue(tick, step)}</text>`);
  }
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="black"/>`);
  out.push(`<text transform="translate(${PLOT.left - 55},${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(metric)}</text>`);
  out.push('</g>');
  out.push(`<g class="x-axis" data-x-max="${xEnd}">`);
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${f(sx(xEnd))}" y2="${PLOT.bottom}" stroke="black"/>`);
  for (const tick of countAxisTicks(xEnd)) {
    out.push(`<line x1="${f(sx(tick))}" y1="${PLOT.bottom}" x2="${f(sx(tick))}" y2="${PLOT.bottom + 5}" stroke="black"/>`);
    out.push(`<text class="x-tick" x="${f(sx(tick))}" y="${PLOT.bottom + 18}" text-anchor="middle">${formatCount(tick)}</text>`);
  }
  out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 40}" text-anchor="middle">requests</text>`);
  out.push('</g>');

  // Bands first, then the means over them.
  names.forEach((name, index) => {
    const series = input.policies[name];
    const color = COLORS[index % COLORS.length];
    const band = bandPath(input.windows, series, sx, sy);
    if (band !== null) out.push(`<path class="band" data-policy="${escapeXml(name)}" d="${band}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
  });
  names.forEach((name, index) => {
    const color = COLORS[index % COLORS.length];
    const points = input.windows
      .map((x, at) => ({ x, y: input.policies[name].mean[at] }))
      .filter((point) => Number.isFinite(point.y));
    if (points.length === 0) return;
    out.push(`<path class="mean" data-policy="${escapeXml(name)}" d="${linePath(points, sx, sy)}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const point of points) out.push(`<circle cx="${f(sx(point.x))}" cy="${f(sy(point.y))}" r="2.5" fill="${color}"/>`);
  });
  if (reference !== null) out.push(oracleMark(reference, sy));
  out.push(legend(names, reference !== null));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The oracle: a dashed line with its value on the axis, or an arrow and its value at the edge it is beyond. */
function oracleMark(reference: ReferencePlacement, sy: (y: number) => number): string {
  const label = `oracle ${reference.value.toFixed(3)}`;
  if (reference.placement === 'on') {
    const y = f(sy(reference.value));
    return [
      `<g class="oracle" data-oracle="${reference.value}" data-placement="on">`,
      `<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="${ORACLE_COLOR}" stroke-width="1.5" stroke-dasharray="6,4"/>`,
      `<text x="${PLOT.right - 4}" y="${Number(y) - 5}" text-anchor="end" fill="${ORACLE_COLOR}">${escapeXml(label)}</text>`,
      '</g>',
    ].join('\n');
  }
  const above = reference.placement === 'above';
  const edge = above ? PLOT.top : PLOT.bottom;
  const arrow = above ? `M${PLOT.right - 12},${edge + 2} l6,-8 l6,8 Z` : `M${PLOT.right - 12},${edge - 2} l6,8 l6,-8 Z`;
  return [
    `<g class="oracle" data-oracle="${reference.value}" data-placement="${reference.placement}">`,
    `<line x1="${PLOT.left}" y1="${edge}" x2="${PLOT.right}" y2="${edge}" stroke="${ORACLE_COLOR}" stroke-width="1" stroke-dasharray="2,4"/>`,
    `<path d="${arrow}" fill="${ORACLE_COLOR}"/>`,
    `<text x="${PLOT.right - 16}" y="${above ? edge - 6 : edge - 8}" text-anchor="end" fill="${ORACLE_COLOR}">${escapeXml(`${label} (${above ? 'above' : 'below'} the axis)`)}</text>`,
    '</g>',
  ].join('\n');
}

function legend(names: readonly string[], withOracle: boolean): string {
  const x = PLOT.right + 24;
  const out = ['<g class="legend">'];
  names.forEach((name, index) => {
    const y = PLOT.top + 10 + 22 * index;
    const color = COLORS[index % COLORS.length];
    out.push(`<rect x="${x}" y="${y - 7}" width="28" height="14" fill="${color}" fill-opacity="0.18"/>`);
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${x + 36}" y="${y + 4}">${escapeXml(name)}</text>`);
  });
  if (withOracle) {
    const y = PLOT.top + 10 + 22 * names.length;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${ORACLE_COLOR}" stroke-width="1.5" stroke-dasharray="6,4"/>`);
    out.push(`<text x="${x + 36}" y="${y + 4}">oracle (one-step, expected)</text>`);
  }
  out.push('</g>');
  return out.join('\n');
}

/** The band between lo and hi: along hi forward, back along lo, closed; null with no finite window. */
function bandPath(windows: readonly number[], series: EvaluationSeries, sx: (x: number) => number, sy: (y: number) => number): string | null {
  const points = windows
    .map((x, at) => ({ x, lo: series.lo[at], hi: series.hi[at] }))
    .filter((point) => Number.isFinite(point.lo) && Number.isFinite(point.hi));
  if (points.length === 0) return null;
  const upper = points.map((point, at) => `${at === 0 ? 'M' : 'L'}${f(sx(point.x))},${f(sy(point.hi))}`);
  const lower = [...points].reverse().map((point) => `L${f(sx(point.x))},${f(sy(point.lo))}`);
  return [...upper, ...lower, 'Z'].join(' ');
}

function linePath(points: readonly { x: number; y: number }[], sx: (x: number) => number, sy: (y: number) => number): string {
  return points.map((point, at) => `${at === 0 ? 'M' : 'L'}${f(sx(point.x))},${f(sy(point.y))}`).join(' ');
}

function f(value: number): string {
  return value.toFixed(1);
}
