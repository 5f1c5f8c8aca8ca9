import { estimateOffPolicy, slotMeanEstimate, type Estimate, type LoggedUnit, type OffPolicyEstimate, type SlotSample } from './estimators';
import { fitItemPositionRewardModel, type RewardModel } from './item-position-reward-model';
import type { LoggedRequest } from './logged-data';
import type { TargetPolicy } from './target-policies';

export interface TargetEvaluation {
  target: string;
  /** The target's estimated reward per slot (IPS, SNIPS and DR, 95% CIs); with click rewards, its CTR. */
  ctr: OffPolicyEstimate;
  /** The same, per position (index = position). */
  perPosition: OffPolicyEstimate[];
  /** The logging policy's own reward per slot on the same requests (on-policy, for reference). */
  loggingCtr: number;
  /** The same with its 95% CI (slots of one request are one sample). */
  loggingValue: Estimate;
  requests: number;
  /** Slots skipped because their logged propensity was not positive. */
  skippedSlots: number;
}

/**
 * Estimates a target policy's reward per shown slot from logged requests. DR's reward model
 * (fitItemPositionRewardModel) is cross-fitted: requests are split in two folds (alternately, in log
 * order) and each fold is scored with the model fitted on the other, so no slot's prediction has seen
 * its own reward.
 */
export function evaluateTarget(logged: readonly LoggedRequest[], target: TargetPolicy): TargetEvaluation {
  const folds = [0, 1].map((fold) => logged.filter((_, index) => index % 2 === fold));
  const models = folds.map((fold) => fitItemPositionRewardModel(fold.flatMap((request) => request.slots)));
  const units: LoggedUnit[] = [];
  const byPosition: LoggedUnit[][] = [];
  const rewards: number[][] = [];
  let total = 0;
  let slots = 0;
  let skippedSlots = 0;
  logged.forEach((request, index) => {
    // The model fitted on the other fold.
    const model: RewardModel = models[1 - (index % 2)];
    const unit: SlotSample[] = [];
    rewards.push(request.slots.map((slot) => slot.reward));
    for (const slot of request.slots) {
      slots += 1;
      total += slot.reward;
      if (!(slot.propensity > 0)) {
        skippedSlots += 1;
        continue;
      }
      const sample: SlotSample = {
        reward: slot.reward,
        loggingPropensity: slot.propensity,
        targetProbability: target.probability(request, slot.itemId, slot.position),
        predictedReward: model.predict(slot.itemId, slot.position),
        targetPredictedReward: target.expectation(request, slot.position, model),
      };
      unit.push(sample);
      (byPosition[slot.position] ??= []).push([sample]);
    }
    if (unit.length > 0) units.push(unit);
  });
  return {
    target: target.name,
    ctr: estimateOffPolicy(units),
    perPosition: Array.from(byPosition, (position) => estimateOffPolicy(position ?? [])),
    loggingCtr: slots > 0 ? total / slots : 0,
    loggingValue: slotMeanEstimate(rewards),
    requests: units.length,
    skippedSlots,
  };
}
