import type { FeedbackType, UserFeedback } from '../events/contract';
import { readSettings } from './read-settings';
import { setting } from './setting';

/**
 * The reward function's settings, declared once: the joiner credits rewards with them, and the status
 * page computes the live reward with them (the variables keep their JOINER_ names).
 */
export const REWARD_SETTINGS = {
  impression: setting.number('JOINER_REWARD_IMPRESSION', 0, [-1e6, 1e6], 'reward of an impression'),
  click: setting.number('JOINER_REWARD_CLICK', 1, [-1e6, 1e6], 'reward of a click'),
  addToCart: setting.number('JOINER_REWARD_ADD_TO_CART', 2, [-1e6, 1e6], 'reward of an add-to-cart'),
  purchase: setting.number('JOINER_REWARD_PURCHASE', 5, [-1e6, 1e6], 'reward of a purchase'),
  valueWeight: setting.number('JOINER_REWARD_VALUE_WEIGHT', 0, [-1e6, 1e6], 'reward per unit of feedback `value`, e.g. order value'),
};

/** A weight per feedback type, plus a weight on the feedback's value. */
export interface RewardFunction {
  weights: Record<FeedbackType, number>;
  valueWeight: number;
}

export function readRewardFunction(environment: NodeJS.ProcessEnv = process.env): RewardFunction {
  const reward = readSettings(REWARD_SETTINGS, environment);
  return {
    weights: { IMPRESSION: reward.impression, CLICK: reward.click, ADD_TO_CART: reward.addToCart, PURCHASE: reward.purchase },
    valueWeight: reward.valueWeight,
  };
}

/** The reward of one feedback event: the weight of its type plus valueWeight times its value. */
export function rewardOf(feedback: Pick<UserFeedback, 'type' | 'value'>, reward: RewardFunction): number {
  return reward.weights[feedback.type] + reward.valueWeight * feedback.value;
}
