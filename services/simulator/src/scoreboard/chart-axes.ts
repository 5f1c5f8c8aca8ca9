/**
 * The axis rules every chart here follows (issue 9, item 5):
 *
 *   - The value axis is fitted to the served policies' range (a little padding, round ticks), not to
 *     zero and not to the oracle: the oracle is a reference, and a reference far above the policies would
 *     squeeze them into a thin strip. The oracle is drawn on the axis when that widens it by at most
 *     REFERENCE_STRETCH of its span; otherwise it is marked off-scale with its value.
 *   - The count axis (requests) ends where the data ends: its last tick is the last data point, labelled,
 *     whatever round number comes next.
 */

/** A reference this much of the fitted span beyond the axis still stretches the axis to include it. */
export const REFERENCE_STRETCH = 0.25;

export interface ValueAxis {
  min: number;
  max: number;
  ticks: number[];
}

export interface ReferencePlacement {
  value: number;
  /** on: inside the axis; above / below: off-scale, marked at that edge with its value. */
  placement: 'on' | 'above' | 'below';
}

/** A value axis over `values` (finite ones), and where `reference` (if any) goes on it. */
export function fitValueAxis(values: readonly number[], reference: number | null = null): { axis: ValueAxis; reference: ReferencePlacement | null } {
  const finite = values.filter((value) => Number.isFinite(value));
  let low = finite.length > 0 ? Math.min(...finite) : 0;
  let high = finite.length > 0 ? Math.max(...finite) : 1;
  let axis = roundAxis(low, high);
  if (reference === null || !Number.isFinite(reference)) return { axis, reference: null };
  const reach = REFERENCE_STRETCH * (axis.max - axis.min);
  if (reference > axis.max && reference <= axis.max + reach) {
    high = reference;
    axis = roundAxis(low, high);
  } else if (reference < axis.min && reference >= axis.min - reach) {
    low = reference;
    axis = roundAxis(low, high);
  }
  const placement = reference > axis.max ? 'above' : reference < axis.min ? 'below' : 'on';
  return { axis, reference: { value: reference, placement } };
}

/** Round ticks around [low, high] with 5% padding; never below zero when all values are >= 0. */
function roundAxis(low: number, high: number): ValueAxis {
  let span = high - low;
  // A flat series still gets an axis of visible height (10% of its magnitude, or 1).
  if (span < 1e-12) span = Math.abs(high) > 0 ? 0.1 * Math.abs(high) : 1;
  const padded = { low: low - 0.05 * span, high: high + 0.05 * span };
  if (low >= 0) padded.low = Math.max(0, padded.low);
  const step = niceStep((padded.high - padded.low) / 5);
  const min = Math.floor(padded.low / step + 1e-9) * step;
  const max = Math.ceil(padded.high / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let tick = min; tick <= max + step / 2; tick += step) ticks.push(roundTo(tick, step));
  return { min: roundTo(min, step), max: roundTo(max, step), ticks };
}

/**
 * Ticks of a count axis from 0 to exactly `end` (the last data point): round steps below it, then `end`
 * itself; a round tick too close to `end` for both labels to fit is dropped.
 */
export function countAxisTicks(end: number): number[] {
  if (!(end > 0)) return [0];
  const step = niceStep(end / 5);
  const ticks: number[] = [];
  for (let tick = 0; tick < end - 0.4 * step; tick += step) ticks.push(roundTo(tick, step));
  ticks.push(end);
  return ticks;
}

/** The smallest of 1, 2, 2.5 or 5 times a power of ten that is >= value. */
export function niceStep(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const multiple of [1, 2, 2.5, 5, 10]) if (multiple * power >= value - 1e-12 * power) return multiple * power;
  return 10 * power;
}

/** A request count as a short label: 950, 12k, 12.5k, 1.2M. */
export function formatCount(value: number): string {
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(2)}M`;
  if (value >= 1_000) return `${+(value / 1_000).toFixed(1)}k`;
  return String(+value.toFixed(1));
}

/** A value label with as many decimals as the tick step needs. */
export function formatValue(value: number, step: number): string {
  let decimals = 0;
  while (decimals < 6 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6) decimals += 1;
  return value.toFixed(decimals);
}

function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 3);
  return Number(value.toFixed(Math.min(12, decimals)));
}
