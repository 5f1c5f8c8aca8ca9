import { bool, intIn, numIn, readCommonConfig, readEnv, readModelShapeConfig, type CommonConfig, type ModelShapeConfig } from '@rec/shared';

/** Every setting of a learner, read once from the environment. Defaults follow the seed where it has one. */
export interface LearnerConfig {
  common: CommonConfig;
  model: ModelShapeConfig;
  /** Transitions per gradient step (LEARNER_BATCH_SIZE). */
  batchSize: number;
  /** Replay capacity in transitions; the oldest are overwritten (LEARNER_REPLAY_CAPACITY; seed: 100,000). */
  replayCapacity: number;
  /** Transitions in replay before the first gradient step (LEARNER_WARMUP). */
  warmup: number;
  /** Sample by TD-error priority instead of uniformly (LEARNER_PRIORITIZED). */
  prioritized: boolean;
  /** How strongly priorities skew sampling, 0 = uniform (LEARNER_PRIORITY_ALPHA). */
  priorityAlpha: number;
  /** Importance-sampling correction exponent (LEARNER_PRIORITY_BETA). */
  priorityBeta: number;
  /** Most samples drawn per transition inserted, so a fast learner cannot overfit a slow stream; 0 = unbounded (LEARNER_MAX_SAMPLES_PER_INSERT). */
  maxSamplesPerInsert: number;
  /** Discount gamma; 0 is a myopic contextual bandit (LEARNER_GAMMA; seed: 0.9-0.99). */
  gamma: number;
  /** n of n-step returns; 1 is one-step Q-learning (LEARNER_N_STEP). */
  nStep: number;
  /** How long a user's chain waits for its next step before its returns are truncated; keep it above the joiner's session timeout plus join wait (LEARNER_N_STEP_MAX_WAIT_MS). */
  nStepMaxWaitMs: number;
  /** Most transitions held back for n-step returns; beyond it the least recently active users' returns are truncated (LEARNER_N_STEP_MAX_HELD). */
  nStepMaxHeld: number;
  /** Huber loss threshold (LEARNER_HUBER_DELTA). */
  huberDelta: number;
  /** Global gradient-norm clip (LEARNER_MAX_GRAD_NORM). */
  maxGradNorm: number;
  /** Most catalog items the argmax over a' considers per step; larger catalogs are sampled (LEARNER_MAX_TARGET_CANDIDATES). */
  maxTargetCandidates: number;
  /** Most gradient updates sent but not yet acknowledged (LEARNER_MAX_UPDATES_IN_FLIGHT). */
  maxUpdatesInFlight: number;
  /** Seed of replay sampling (LEARNER_SEED). */
  seed: number;
}

export function readLearnerConfig(environment: NodeJS.ProcessEnv = process.env): LearnerConfig {
  const env = readEnv(
    {
      LEARNER_BATCH_SIZE: intIn(1, 65_536)({ default: 256, desc: 'transitions per gradient step' }),
      LEARNER_REPLAY_CAPACITY: intIn(1, 10_000_000)({ default: 100_000, desc: 'replay capacity' }),
      LEARNER_WARMUP: intIn(1, 10_000_000)({ default: 1_000, desc: 'replay size before training starts' }),
      LEARNER_PRIORITIZED: bool({ default: false, desc: 'prioritized replay' }),
      LEARNER_PRIORITY_ALPHA: numIn(0, 1)({ default: 0.6, desc: 'priority exponent' }),
      LEARNER_PRIORITY_BETA: numIn(0, 1)({ default: 0.4, desc: 'importance-sampling exponent' }),
      LEARNER_MAX_SAMPLES_PER_INSERT: numIn(0, 1e6)({ default: 32, desc: 'samples per inserted transition; 0 = unbounded' }),
      LEARNER_GAMMA: numIn(0, 0.999)({ default: 0.9, desc: 'discount' }),
      LEARNER_N_STEP: intIn(1, 20)({ default: 1, desc: 'n of n-step returns (1 = one-step)' }),
      LEARNER_N_STEP_MAX_WAIT_MS: intIn(1_000, 24 * 3_600_000)({ default: 300_000, desc: 'longest wait for a user\'s next step before truncating' }),
      LEARNER_N_STEP_MAX_HELD: intIn(1, 10_000_000)({ default: 100_000, desc: 'most transitions held back for n-step returns' }),
      LEARNER_HUBER_DELTA: numIn(1e-6, 1e6)({ default: 1, desc: 'Huber threshold' }),
      LEARNER_MAX_GRAD_NORM: numIn(1e-6, 1e9)({ default: 10, desc: 'gradient-norm clip' }),
      LEARNER_MAX_TARGET_CANDIDATES: intIn(1, 1_000_000)({ default: 2_048, desc: 'items considered by the argmax over a\'' }),
      LEARNER_MAX_UPDATES_IN_FLIGHT: intIn(1, 64)({ default: 2, desc: 'unacknowledged updates allowed' }),
      LEARNER_SEED: intIn(0, 2 ** 31 - 1)({ default: 3, desc: 'seed of replay sampling' }),
    },
    environment,
  );
  return {
    common: readCommonConfig(environment),
    model: readModelShapeConfig(environment),
    batchSize: env.LEARNER_BATCH_SIZE,
    replayCapacity: env.LEARNER_REPLAY_CAPACITY,
    warmup: env.LEARNER_WARMUP,
    prioritized: env.LEARNER_PRIORITIZED,
    priorityAlpha: env.LEARNER_PRIORITY_ALPHA,
    priorityBeta: env.LEARNER_PRIORITY_BETA,
    maxSamplesPerInsert: env.LEARNER_MAX_SAMPLES_PER_INSERT,
    gamma: env.LEARNER_GAMMA,
    nStep: env.LEARNER_N_STEP,
    nStepMaxWaitMs: env.LEARNER_N_STEP_MAX_WAIT_MS,
    nStepMaxHeld: env.LEARNER_N_STEP_MAX_HELD,
    huberDelta: env.LEARNER_HUBER_DELTA,
    maxGradNorm: env.LEARNER_MAX_GRAD_NORM,
    maxTargetCandidates: env.LEARNER_MAX_TARGET_CANDIDATES,
    maxUpdatesInFlight: env.LEARNER_MAX_UPDATES_IN_FLIGHT,
    seed: env.LEARNER_SEED,
  };
}
