import { OPTIMIZER_SETTINGS, readCommonConfig, readModelShapeConfig, readSettings, setting, type CommonConfig, type ModelShapeConfig, type SettingValues } from '@rec/shared';

/** Every setting of the parameter server, declared once (README table and `rec config` come from here). */
export const PARAMETER_SERVER_SETTINGS = {
  targetSyncEvery: setting.int('PS_TARGET_SYNC_EVERY', 100, [1, 1e9], 'copy the online network to the target network every C applied updates'),
  maxStaleness: setting.int('PS_MAX_STALENESS', 32, [0, 1e9], "drop an update computed on weights more than K versions old (for a learner that looks ahead: K versions of other learners' updates)"),
  publishEveryUpdates: setting.int('PS_PUBLISH_EVERY_UPDATES', 10, [1, 1e9], 'publish the online weights after this many applied updates...'),
  publishIntervalMs: setting.int('PS_PUBLISH_INTERVAL_MS', 500, [10, 3_600_000], '...or once this long has passed since the last publish with newer weights'),
  weightsFullEvery: setting.int('PS_WEIGHTS_FULL_EVERY', 10, [1, 1_000_000], 'publish the online weights whole every K-th publish (and the first); in between a delta: dense parameters plus the per-item rows changed since that full record; 1 = whole every time (while readers predate deltas)'),
  weightsHistory: setting.int('PS_WEIGHTS_HISTORY', 20, [0, 10_000], 'published versions kept in Redis for pin, rollback and export (about one weights payload each); 0 keeps none'),
  controlPollMs: setting.int('PS_CONTROL_POLL_MS', 250, [10, 60_000], 'how often the parameter server looks for a rollback or import request'),
};

/** Every setting of the parameter server, read once from the environment. */
export type ParameterServerConfig = { common: CommonConfig; model: ModelShapeConfig } & SettingValues<typeof PARAMETER_SERVER_SETTINGS> & SettingValues<typeof OPTIMIZER_SETTINGS>;

export function readParameterServerConfig(environment: NodeJS.ProcessEnv = process.env): ParameterServerConfig {
  return { common: readCommonConfig(environment), model: readModelShapeConfig(environment), ...readSettings(PARAMETER_SERVER_SETTINGS, environment), ...readSettings(OPTIMIZER_SETTINGS, environment) };
}
