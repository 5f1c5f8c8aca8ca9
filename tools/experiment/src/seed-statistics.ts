/** A mean over seeds and its 95% interval (Student's t, n - 1 degrees of freedom). */
export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

/** t_{0.975, df} for df = 1..30; beyond 30 the normal 1.96 is close enough. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Mean and 95% confidence interval of the mean of `values` (one per seed); a single value has a zero-width interval. */
export function intervalOf(values: readonly number[]): Interval {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, lo: Number.NaN, hi: Number.NaN };
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, lo: mean, hi: mean };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const half = (T_975[n - 2] ?? 1.96) * Math.sqrt(variance / n);
  return { mean, lo: mean - half, hi: mean + half };
}

/** The interval of the paired differences a_i - b_i (the same seed under two policies). */
export function pairedDifference(a: readonly number[], b: readonly number[]): Interval {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} and ${b.length}`);
  return intervalOf(a.map((value, index) => value - b[index]));
}
