/**
 * Off-policy estimators of a target policy's click rate per shown slot, from slates logged with
 * per-slot propensities. Pure functions; no I/O.
 *
 * A logged request i shows slots k = 1..K_i; slot k holds item a_ik with logging propensity
 * mu_ik = P_logging(a_ik at position k | x_i) and reward r_ik (1 if clicked). The target puts a_ik at
 * k with probability pi_ik = P_target(a_ik at position k | x_i). The importance weight is
 * w_ik = pi_ik / mu_ik. Per request, S_i = sum_k w_ik r_ik, W_i = sum_k w_ik.
 *
 *   IPS     V = sum_i S_i / sum_i K_i
 *   SNIPS   V = sum_i S_i / sum_i W_i                 (self-normalised: the weights sum to one)
 *   DR      V = sum_i sum_k [ q_ik + w_ik (r_ik - qhat_ik) ] / sum_i K_i
 *
 * DR (doubly robust) needs a reward model qhat(x, a, k): qhat_ik is its prediction for the logged item at
 * its position, q_ik = sum_a pi(a at k | x_i) qhat(x_i, a, k) its expectation under the target at that
 * position (the direct method's term). DR is unbiased when the propensities are right, whatever the
 * reward model; a good reward model shrinks its variance. Without predictions (both 0) DR is IPS.
 *
 * All three are ratios over requests; their standard errors come from the normal approximation (delta
 * method) over the per-request linearised terms e_i = S_i - V * D_i, with D_i = K_i (IPS, DR) or W_i
 * (SNIPS), S_i the request's numerator:
 *
 *   SE = sqrt( n / (n - 1) * sum_i e_i^2 ) / sum_i D_i,      95% CI = V -+ 1.96 * SE
 *
 * With K_i = 1 for every request, IPS's SE reduces to the textbook sqrt(sum_i (w_i r_i - V)^2 / (n (n - 1))).
 * Grouping slots by request keeps the CI honest: slots of one request share a context, so they are not
 * independent samples. Per-slot IPS is unbiased for the per-slot CTR when the click on a slot depends
 * only on the request and that slot's item (true of the simulator's position-based click model) and
 * mu > 0 wherever pi > 0.
 */

/** One logged slot. */
export interface SlotSample {
  /** Observed reward: 1 for a click, 0 otherwise (or any reward). */
  reward: number;
  /** Probability that the logging policy put this item at this position, given the request. */
  loggingPropensity: number;
  /** Probability that the target policy puts this item at this position, given the request. */
  targetProbability: number;
  /** DR only: the reward model's prediction for this item at this position (default 0). */
  predictedReward?: number;
  /** DR only: the reward model's prediction at this position, averaged over the target's items there (default 0). */
  targetPredictedReward?: number;
}

/** One logged request: its shown slots. */
export type LoggedUnit = readonly SlotSample[];

/** An estimate with its normal-approximation standard error and 95% confidence interval. */
export interface Estimate {
  value: number;
  standardError: number;
  ci95: [number, number];
  /** Requests (units) it is computed from. */
  requests: number;
}

export interface OffPolicyEstimate {
  ips: Estimate;
  snips: Estimate;
  /** Doubly robust; equal to IPS when the slots carry no reward-model predictions. */
  dr: Estimate;
  /** Slots in all. */
  slots: number;
  /** Slots with a non-zero weight (where the logged item is one the target would show there). */
  matchedSlots: number;
  /** Kish effective sample size of the slot weights: (sum w)^2 / sum w^2. */
  effectiveSampleSize: number;
  maxWeight: number;
}

/** z such that P(|Z| <= z) = 0.95 for a standard normal Z. */
export const Z95 = 1.959963984540054;

export function importanceWeight(sample: SlotSample): number {
  if (sample.targetProbability === 0) return 0;
  if (!(sample.loggingPropensity > 0)) {
    throw new RangeError(`logging propensity must be > 0 where the target has mass (got ${sample.loggingPropensity})`);
  }
  return sample.targetProbability / sample.loggingPropensity;
}

/** IPS: sum of weighted rewards over the number of slots. */
export function ipsEstimate(units: readonly LoggedUnit[]): Estimate {
  return ratioEstimate(units, (unit) => unit.length);
}

/** Self-normalised IPS: sum of weighted rewards over the sum of weights. */
export function snipsEstimate(units: readonly LoggedUnit[]): Estimate {
  return ratioEstimate(units, (unit) => unit.reduce((sum, sample) => sum + importanceWeight(sample), 0));
}

/** Doubly robust: the target's predicted reward plus the weighted residual of the logged one, per slot. */
export function drEstimate(units: readonly LoggedUnit[]): Estimate {
  return ratioEstimate(units, (unit) => unit.length, drTerm);
}

/** One slot's DR term: q + w (r - qhat). */
export function drTerm(sample: SlotSample): number {
  return (sample.targetPredictedReward ?? 0) + importanceWeight(sample) * (sample.reward - (sample.predictedReward ?? 0));
}

export function estimateOffPolicy(units: readonly LoggedUnit[]): OffPolicyEstimate {
  let slots = 0;
  let matchedSlots = 0;
  let weightSum = 0;
  let weightSquares = 0;
  let maxWeight = 0;
  for (const unit of units) {
    for (const sample of unit) {
      const weight = importanceWeight(sample);
      slots += 1;
      if (weight > 0) matchedSlots += 1;
      weightSum += weight;
      weightSquares += weight * weight;
      maxWeight = Math.max(maxWeight, weight);
    }
  }
  return {
    ips: ipsEstimate(units),
    snips: snipsEstimate(units),
    dr: drEstimate(units),
    slots,
    matchedSlots,
    effectiveSampleSize: weightSquares > 0 ? (weightSum * weightSum) / weightSquares : 0,
    maxWeight,
  };
}

/** The mean of i.i.d. values with its standard error (for on-policy truths). */
export function meanEstimate(values: readonly number[]): Estimate {
  return ratioEstimate(
    values.map((value) => [{ reward: value, loggingPropensity: 1, targetProbability: 1 }]),
    () => 1,
  );
}

/** The mean reward per slot of requests' slots (the served policy's own value), its SE clustered by request. */
export function slotMeanEstimate(rewardsPerRequest: readonly (readonly number[])[]): Estimate {
  return ipsEstimate(rewardsPerRequest.filter((rewards) => rewards.length > 0).map((rewards) => rewards.map((reward) => ({ reward, loggingPropensity: 1, targetProbability: 1 }))));
}

/** V = sum_i S_i / sum_i D_i with the delta-method standard error over units; S_i sums `termOf` (default w r) over the unit. */
function ratioEstimate(
  units: readonly LoggedUnit[],
  denominatorOf: (unit: LoggedUnit) => number,
  termOf: (sample: SlotSample) => number = (sample) => importanceWeight(sample) * sample.reward,
): Estimate {
  const n = units.length;
  const numerators = units.map((unit) => unit.reduce((sum, sample) => sum + termOf(sample), 0));
  const denominators = units.map(denominatorOf);
  const numerator = numerators.reduce((sum, value) => sum + value, 0);
  const denominator = denominators.reduce((sum, value) => sum + value, 0);
  if (n === 0 || denominator <= 0) return { value: Number.NaN, standardError: Number.NaN, ci95: [Number.NaN, Number.NaN], requests: n };
  const value = numerator / denominator;
  let squares = 0;
  for (let index = 0; index < n; index += 1) squares += (numerators[index] - value * denominators[index]) ** 2;
  const standardError = n > 1 ? Math.sqrt((n / (n - 1)) * squares) / denominator : Number.POSITIVE_INFINITY;
  return { value, standardError, ci95: [value - Z95 * standardError, value + Z95 * standardError], requests: n };
}
