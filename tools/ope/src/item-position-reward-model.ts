/**
 * The reward model of the doubly robust estimate: qhat(a, k) = p_k * lift_a, a position-based model fitted
 * from logged slots without the context (DR stays unbiased whatever qhat is; a better qhat only narrows it).
 *
 *   p_k    = the mean reward of the slots logged at position k (the overall mean where k was never logged)
 *   lift_a = (R_a + m) / (E_a + m)   R_a = the rewards item a earned, E_a = sum of p_k over the slots it
 *            was logged at (what an average item would have earned there), m = priorSlots * the overall
 *            mean: shrinks a rarely shown item's lift towards 1.
 */
export interface RewardModel {
  /** Predicted reward of `itemId` shown at `position`. */
  predict(itemId: string, position: number): number;
}

export interface RewardObservation {
  itemId: string;
  position: number;
  reward: number;
}

export function fitItemPositionRewardModel(observations: readonly RewardObservation[], priorSlots = 5): RewardModel {
  const positionSums: number[] = [];
  const positionCounts: number[] = [];
  let total = 0;
  for (const { position, reward } of observations) {
    positionSums[position] = (positionSums[position] ?? 0) + reward;
    positionCounts[position] = (positionCounts[position] ?? 0) + 1;
    total += reward;
  }
  const overall = observations.length > 0 ? total / observations.length : 0;
  const positionMean = (position: number) => (positionCounts[position] ? positionSums[position] / positionCounts[position] : overall);
  const earned = new Map<string, number>();
  const expected = new Map<string, number>();
  for (const { itemId, position, reward } of observations) {
    earned.set(itemId, (earned.get(itemId) ?? 0) + reward);
    expected.set(itemId, (expected.get(itemId) ?? 0) + positionMean(position));
  }
  const prior = priorSlots * overall;
  return {
    predict(itemId, position) {
      const denominator = (expected.get(itemId) ?? 0) + prior;
      const lift = denominator > 0 ? ((earned.get(itemId) ?? 0) + prior) / denominator : 1;
      return positionMean(position) * lift;
    },
  };
}
