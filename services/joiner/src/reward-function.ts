import type { FeedbackType, UserFeedback } from '@rec/shared';

export interface RewardFunction {
  weights: Record<FeedbackType, number>;
  valueWeight: number;
}

/** The reward of one feedback event: the weight of its type plus valueWeight times its value. */
export function rewardOf(feedback: Pick<UserFeedback, 'type' | 'value'>, reward: RewardFunction): number {
  return reward.weights[feedback.type] + reward.valueWeight * feedback.value;
}
