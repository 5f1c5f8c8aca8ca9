import { readCommonConfig, readRewardFunction, readSettings, setting, type CommonConfig, type RewardFunction, type SettingValues } from '@rec/shared';

/** Every setting of the status page, declared once (README table and `rec config` come from here). */
export const STATUS_PAGE_SETTINGS = {
  bucketMs: setting.int('STATUS_BUCKET_MS', 5_000, [100, 3_600_000], 'width of one point of the charts'),
  buckets: setting.int('STATUS_BUCKETS', 120, [2, 10_000], 'points per chart (the charts cover STATUS_BUCKETS x STATUS_BUCKET_MS, 10 minutes by default)'),
  recentErrors: setting.int('STATUS_RECENT_ERRORS', 10, [0, 1_000], 'dead letters listed on the page (the newest)'),
};

/** Every setting of the status page, read once from the environment. */
export type StatusPageConfig = { common: CommonConfig; reward: RewardFunction } & SettingValues<typeof STATUS_PAGE_SETTINGS>;

export function readStatusPageConfig(environment: NodeJS.ProcessEnv = process.env): StatusPageConfig {
  return { common: readCommonConfig(environment), reward: readRewardFunction(environment), ...readSettings(STATUS_PAGE_SETTINGS, environment) };
}
