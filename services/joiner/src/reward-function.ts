/** The reward function is declared in @rec/shared (REWARD_SETTINGS), where the status page reads it too. */
export { rewardOf, type RewardFunction } from '@rec/shared';
