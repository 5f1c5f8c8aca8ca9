/**
 * @rec/ope as a library: estimators, the log reader and joins, target policies (fixed ones and a
 * candidate model), for `rec evaluate` and other tools. Importing it starts nothing (the command-line
 * tool is ope-main.ts).
 */
export * from './estimators';
export { evaluateTarget, type TargetEvaluation } from './evaluate-target';
export { fitItemPositionRewardModel, type RewardModel, type RewardObservation } from './item-position-reward-model';
export { readLoggedRun, type LoggedRun } from './kafka-log-reader';
export { joinLoggedData, type LoggedRequest, type LoggedSlot } from './logged-data';
export { joinTransitions } from './logged-transitions';
export { popularityByCategoryTarget, uniformRandomTarget, TARGET_NAMES, type TargetName, type TargetPolicy } from './target-policies';
export { modelTarget } from './model-target';
