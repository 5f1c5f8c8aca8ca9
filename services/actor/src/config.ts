import { readCommonConfig, readModelShapeConfig, readSettings, setting, type CommonConfig, type ModelShapeConfig, type SettingValues } from '@rec/shared';

export const POLICIES = ['ddqn', 'random', 'popularity'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** Every setting of an actor, declared once (README table and `rec config` come from here). */
export const ACTOR_SETTINGS = {
  policy: setting.choice('ACTOR_POLICY', 'ddqn', POLICIES, 'which policy serves: the DQN, uniform random slates or recent popularity (clicks); all log propensities the same way'),
  epsilonStart: setting.number('ACTOR_EPSILON_START', 0.3, [0, 1], 'exploration rate at the first decision'),
  epsilonEnd: setting.number('ACTOR_EPSILON_END', 0.05, [0, 1], 'exploration rate after the decay'),
  epsilonDecayDecisions: setting.int('ACTOR_EPSILON_DECAY_DECISIONS', 20_000, [1, 1e9], 'decisions over which epsilon decays linearly from start to end'),
  diversityPenalty: setting.number('ACTOR_DIVERSITY_PENALTY', 0, [0, 100], "maximal-marginal-relevance penalty (in Q units) on an item's cosine similarity, in the model's item embedding, to the items above it; 0 ranks by Q alone"),
  exposureBonus: setting.number('ACTOR_EXPOSURE_BONUS', 0, [0, 100], 'optimism (in Q units) for items served little: the greedy order ranks by score + this / sqrt(1 + times this actor served the item); 0 = none'),
  maxBatch: setting.int('ACTOR_MAX_BATCH', 256, [1, 4096], 'most requests scored in one forward pass'),
  requestStateTtlMs: setting.int('ACTOR_REQUEST_STATE_TTL_MS', 15 * 60_000, [1_000, 7 * 24 * 3_600_000], "how long a request's state is kept for the joiner; must outlive the joiner's pending requests"),
  popularityRefreshMs: setting.int('ACTOR_POPULARITY_REFRESH_MS', 2_000, [100, 3_600_000], 'how often the popularity policy re-reads recent clicks'),
  seed: setting.int('ACTOR_SEED', 11, [0, 2 ** 31 - 1], 'seed of the exploration random numbers'),
  maxRequestAgeMs: setting.int('ACTOR_MAX_REQUEST_AGE_MS', 60_000, [0, 7 * 24 * 3_600_000], 'requests published longer ago are skipped unanswered and counted (`rec_actor_stale_requests_total`); 0 = no limit'),
  pinPollMs: setting.int('ACTOR_PIN_POLL_MS', 500, [10, 60_000], 'how often the actor looks for a pinned version (`rec pin`); a pin takes effect within this'),
  explainRecent: setting.int('ACTOR_EXPLAIN_RECENT', 10_000, [0, 1_000_000], 'served actions kept for `GET /explain/<requestId>` and to answer a repeated request once (the newest; about 300 bytes each); 0 = none'),
  slowAnswerLogMs: setting.int('ACTOR_SLOW_ANSWER_LOG_MS', 1_000, [0, 3_600_000], 'a micro-batch answered slower than this after publication is logged with where the time went; 0 = never'),
};

/** Every setting of an actor, read once from the environment. */
export type ActorConfig = { common: CommonConfig; model: ModelShapeConfig } & SettingValues<typeof ACTOR_SETTINGS>;

export function readActorConfig(environment: NodeJS.ProcessEnv = process.env): ActorConfig {
  return { common: readCommonConfig(environment), model: readModelShapeConfig(environment), ...readSettings(ACTOR_SETTINGS, environment) };
}
