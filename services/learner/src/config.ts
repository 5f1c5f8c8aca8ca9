import { OPTIMIZER_SETTINGS, readCommonConfig, readModelShapeConfig, readSettings, setting, type CommonConfig, type ModelShapeConfig, type SettingValues } from '@rec/shared';

/** Every setting of a learner, declared once (README table and `rec config` come from here). Defaults follow the seed where it has one. */
export const LEARNER_SETTINGS = {
  batchSize: setting.int('LEARNER_BATCH_SIZE', 256, [1, 65_536], 'transitions per gradient step'),
  replayCapacity: setting.int('LEARNER_REPLAY_CAPACITY', 100_000, [1, 10_000_000], 'replay capacity in transitions, the oldest overwritten (the seed: 100,000)'),
  warmup: setting.int('LEARNER_WARMUP', 1_000, [1, 10_000_000], 'transitions in replay before the first gradient step'),
  prioritized: setting.boolean('LEARNER_PRIORITIZED', false, 'sample by TD-error priority instead of uniformly'),
  priorityAlpha: setting.number('LEARNER_PRIORITY_ALPHA', 0.6, [0, 1], 'how strongly priorities skew sampling, 0 = uniform'),
  priorityBeta: setting.number('LEARNER_PRIORITY_BETA', 0.4, [0, 1], 'importance-sampling correction exponent'),
  maxSamplesPerInsert: setting.number('LEARNER_MAX_SAMPLES_PER_INSERT', 32, [0, 1e6], 'most samples drawn per inserted transition, so a fast learner cannot overfit a slow stream; 0 = unbounded'),
  gamma: setting.number('LEARNER_GAMMA', 0, [0, 0.999], "discount; 0 (the default: the contextual bandit, which earned more per session than 0.9 on every world measured, see README Results) or the seed's 0.9-0.99 for long-term value"),
  nStep: setting.int('LEARNER_N_STEP', 1, [1, 20], 'n of n-step returns (design decision 8); 1 = one-step'),
  nStepMaxWaitMs: setting.int('LEARNER_N_STEP_MAX_WAIT_MS', 300_000, [1_000, 24 * 3_600_000], "longest wait for a user's next step before its returns are truncated; must exceed the joiner's session timeout plus join wait"),
  nStepMaxHeld: setting.int('LEARNER_N_STEP_MAX_HELD', 100_000, [1, 10_000_000], 'most transitions held for n-step returns (least recently active users truncated beyond it)'),
  bootstrapSlateSize: setting.int('LEARNER_BOOTSTRAP_SLATE_SIZE', 10, [1, 100], "with gamma > 0, the next request is valued as the mean Q per slot of the greedy next slate of this many items (1: the classic max over single items)"),
  huberDelta: setting.number('LEARNER_HUBER_DELTA', 10, [1e-6, 1e6], "Huber loss threshold; keep it above the largest reward one item earns (click + add-to-cart + purchase, 8 with the default rewards), else Q estimates a trimmed mean that ranks frequent clicks above rarer purchases"),
  maxGradNorm: setting.number('LEARNER_MAX_GRAD_NORM', 10, [1e-6, 1e9], 'global gradient-norm clip'),
  maxTargetCandidates: setting.int('LEARNER_MAX_TARGET_CANDIDATES', 2_048, [1, 1_000_000], "most catalog items the argmax over a' ranges over per step (sampled beyond)"),
  lookahead: setting.boolean('LEARNER_LOOKAHEAD', true, "apply this learner's own updates to its copy of the weights at once (Adam, PS_LEARNING_RATE), so its next gradient is not computed on weights that lack them (own-update lookahead; false: wait for the broadcast)"),
  maxUpdatesInFlight: setting.int('LEARNER_MAX_UPDATES_IN_FLIGHT', 2, [1, 64], 'gradient updates sent but not yet acknowledged'),
  maxUpdatesPerWeights: setting.int('LEARNER_MAX_UPDATES_PER_WEIGHTS', 32, [1, 1_000_000], "most gradient updates sent on one weights version before waiting for newer weights; keep it at most the parameter server's PS_MAX_STALENESS (later ones would be dropped as stale)"),
  seed: setting.int('LEARNER_SEED', 3, [0, 2 ** 31 - 1], 'seed of replay sampling'),
};

/** Every setting of a learner, read once from the environment. */
export type LearnerConfig = { common: CommonConfig; model: ModelShapeConfig } & SettingValues<typeof LEARNER_SETTINGS> & SettingValues<typeof OPTIMIZER_SETTINGS>;

export function readLearnerConfig(environment: NodeJS.ProcessEnv = process.env): LearnerConfig {
  return { common: readCommonConfig(environment), model: readModelShapeConfig(environment), ...readSettings(LEARNER_SETTINGS, environment), ...readSettings(OPTIMIZER_SETTINGS, environment) };
}
