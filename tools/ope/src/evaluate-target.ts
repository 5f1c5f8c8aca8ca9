import { estimateOffPolicy, type LoggedUnit, type OffPolicyEstimate } from './estimators';
import type { LoggedRequest } from './logged-data';
import type { TargetPolicy } from './target-policies';

export interface TargetEvaluation {
  target: string;
  /** The target's estimated CTR per slot (IPS and SNIPS, 95% CIs). */
  ctr: OffPolicyEstimate;
  /** The same, per position (index = position). */
  perPosition: OffPolicyEstimate[];
  /** The logging policy's own CTR per slot on the same requests (on-policy, for reference). */
  loggingCtr: number;
  requests: number;
  /** Slots skipped because their logged propensity was not positive. */
  skippedSlots: number;
}

/** Estimates a target policy's click rate per shown slot from logged requests. */
export function evaluateTarget(logged: readonly LoggedRequest[], target: TargetPolicy): TargetEvaluation {
  const units: LoggedUnit[] = [];
  const byPosition: LoggedUnit[][] = [];
  let clicks = 0;
  let slots = 0;
  let skippedSlots = 0;
  for (const request of logged) {
    const unit = [];
    for (const slot of request.slots) {
      slots += 1;
      if (slot.clicked) clicks += 1;
      if (!(slot.propensity > 0)) {
        skippedSlots += 1;
        continue;
      }
      const sample = {
        reward: slot.clicked ? 1 : 0,
        loggingPropensity: slot.propensity,
        targetProbability: target.probability(request, slot.itemId, slot.position),
      };
      unit.push(sample);
      (byPosition[slot.position] ??= []).push([sample]);
    }
    if (unit.length > 0) units.push(unit);
  }
  return {
    target: target.name,
    ctr: estimateOffPolicy(units),
    perPosition: Array.from(byPosition, (position) => estimateOffPolicy(position ?? [])),
    loggingCtr: slots > 0 ? clicks / slots : 0,
    requests: units.length,
    skippedSlots,
  };
}
