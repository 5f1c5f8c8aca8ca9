import { intIn, numIn, readCommonConfig, readEnv, readModelShapeConfig, type CommonConfig, type ModelShapeConfig } from '@rec/shared';

/** Every setting of the parameter server, read once from the environment. */
export interface ParameterServerConfig {
  common: CommonConfig;
  model: ModelShapeConfig;
  /** Adam's learning rate (PS_LEARNING_RATE). */
  learningRate: number;
  /** Copy the online network to the target network every C applied updates (PS_TARGET_SYNC_EVERY). */
  targetSyncEvery: number;
  /** Drop an update computed on weights more than K versions old (PS_MAX_STALENESS). */
  maxStaleness: number;
  /** Publish the online weights after this many applied updates... (PS_PUBLISH_EVERY_UPDATES) */
  publishEveryUpdates: number;
  /** ...or once this long has passed since the last publish with newer weights (PS_PUBLISH_INTERVAL_MS). */
  publishIntervalMs: number;
}

export function readParameterServerConfig(environment: NodeJS.ProcessEnv = process.env): ParameterServerConfig {
  const env = readEnv(
    {
      PS_LEARNING_RATE: numIn(1e-8, 1)({ default: 1e-3, desc: 'Adam learning rate' }),
      PS_TARGET_SYNC_EVERY: intIn(1, 1e9)({ default: 100, desc: 'target sync period C, in updates' }),
      PS_MAX_STALENESS: intIn(0, 1e9)({ default: 32, desc: 'staleness bound K, in versions' }),
      PS_PUBLISH_EVERY_UPDATES: intIn(1, 1e9)({ default: 10, desc: 'publish cadence, in updates' }),
      PS_PUBLISH_INTERVAL_MS: intIn(10, 3_600_000)({ default: 500, desc: 'publish cadence, in time' }),
    },
    environment,
  );
  return {
    common: readCommonConfig(environment),
    model: readModelShapeConfig(environment),
    learningRate: env.PS_LEARNING_RATE,
    targetSyncEvery: env.PS_TARGET_SYNC_EVERY,
    maxStaleness: env.PS_MAX_STALENESS,
    publishEveryUpdates: env.PS_PUBLISH_EVERY_UPDATES,
    publishIntervalMs: env.PS_PUBLISH_INTERVAL_MS,
  };
}
