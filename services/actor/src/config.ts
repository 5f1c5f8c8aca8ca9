import { intIn, numIn, readCommonConfig, readEnv, readModelShapeConfig, str, type CommonConfig, type ModelShapeConfig } from '@rec/shared';

export const POLICIES = ['ddqn', 'random', 'popularity'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** Every setting of an actor, read once from the environment. */
export interface ActorConfig {
  common: CommonConfig;
  model: ModelShapeConfig;
  /** Which policy serves: the DQN, uniform random slates, or recent popularity (ACTOR_POLICY). */
  policy: PolicyName;
  /** Exploration rate at the first decision (ACTOR_EPSILON_START). */
  epsilonStart: number;
  /** Exploration rate after the decay (ACTOR_EPSILON_END). */
  epsilonEnd: number;
  /** Decisions over which epsilon decays linearly from start to end (ACTOR_EPSILON_DECAY_DECISIONS). */
  epsilonDecayDecisions: number;
  /** Most requests scored in one forward pass (ACTOR_MAX_BATCH). */
  maxBatch: number;
  /** How long the state of a request is kept for the joiner (ACTOR_REQUEST_STATE_TTL_MS). */
  requestStateTtlMs: number;
  /** How often the popularity policy re-reads recent clicks (ACTOR_POPULARITY_REFRESH_MS). */
  popularityRefreshMs: number;
  /** Seed of the exploration random numbers (ACTOR_SEED). */
  seed: number;
}

export function readActorConfig(environment: NodeJS.ProcessEnv = process.env): ActorConfig {
  const env = readEnv(
    {
      ACTOR_POLICY: str({ choices: POLICIES, default: 'ddqn', desc: 'ddqn, random or popularity' }),
      ACTOR_EPSILON_START: numIn(0, 1)({ default: 0.3, desc: 'exploration rate at the first decision' }),
      ACTOR_EPSILON_END: numIn(0, 1)({ default: 0.05, desc: 'exploration rate after the decay' }),
      ACTOR_EPSILON_DECAY_DECISIONS: intIn(1, 1e9)({ default: 20_000, desc: 'decisions over which epsilon decays linearly' }),
      ACTOR_MAX_BATCH: intIn(1, 4096)({ default: 256, desc: 'most requests per forward pass' }),
      ACTOR_REQUEST_STATE_TTL_MS: intIn(1_000, 7 * 24 * 3_600_000)({ default: 15 * 60_000, desc: 'how long a request state is kept for the joiner' }),
      ACTOR_POPULARITY_REFRESH_MS: intIn(100, 3_600_000)({ default: 2_000, desc: 'refresh period of popularity scores' }),
      ACTOR_SEED: intIn(0, 2 ** 31 - 1)({ default: 11, desc: 'seed of exploration' }),
    },
    environment,
  );
  return {
    common: readCommonConfig(environment),
    model: readModelShapeConfig(environment),
    policy: env.ACTOR_POLICY as PolicyName,
    epsilonStart: env.ACTOR_EPSILON_START,
    epsilonEnd: env.ACTOR_EPSILON_END,
    epsilonDecayDecisions: env.ACTOR_EPSILON_DECAY_DECISIONS,
    maxBatch: env.ACTOR_MAX_BATCH,
    requestStateTtlMs: env.ACTOR_REQUEST_STATE_TTL_MS,
    popularityRefreshMs: env.ACTOR_POPULARITY_REFRESH_MS,
    seed: env.ACTOR_SEED,
  };
}
