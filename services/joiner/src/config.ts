import { ConfigError, bool, intIn, numIn, readCommonConfig, readEnv, type CommonConfig, type FeedbackType } from '@rec/shared';

/** Every setting of a joiner, read once from the environment. */
export interface JoinerConfig {
  common: CommonConfig;
  /** Feedback counts for a recommendation only this long after it was served (JOINER_REWARD_WAIT_MS). */
  rewardWaitMs: number;
  /**
   * A session ends after this long without a request (JOINER_SESSION_TIMEOUT_MS): a request with no successor
   * for this long (processing time), or whose successor is stamped later than this (the platform's clock),
   * becomes done transitions.
   */
  sessionTimeoutMs: number;
  /**
   * Once the user's next request fixes the next state, wait this much longer for feedback still in flight,
   * then emit (JOINER_JOIN_WAIT_MS). This is the whole wait the joiner adds to freshness.
   */
  joinWaitMs: number;
  /** Reward per feedback type (JOINER_REWARD_IMPRESSION, _CLICK, _ADD_TO_CART, _PURCHASE). */
  rewardWeights: Record<FeedbackType, number>;
  /** Reward per unit of feedback `value`, e.g. order value (JOINER_REWARD_VALUE_WEIGHT). */
  rewardValueWeight: number;
  /** Only items the platform confirmed as shown (an IMPRESSION) become transitions (JOINER_REQUIRE_IMPRESSION). */
  requireImpression: boolean;
  /** How often due transitions are emitted (JOINER_SWEEP_INTERVAL_MS). */
  sweepIntervalMs: number;
  /**
   * How long an eventId or requestId is remembered for duplicate dropping (JOINER_DEDUP_TTL_MS). At least
   * the pending-request lifetime, so a redelivered event can never count twice towards a reward; beyond it a
   * duplicate only repeats a history entry. Each remembered id costs Redis about 35 bytes (113 for users with
   * more than 128 ids in the window: the per-user sorted set leaves its compact encoding).
   */
  dedupTtlMs: number;
  /** How long a pending request and its recorded state live in Redis: the longest wait they can be in (derived). */
  pendingTtlMs: number;
}

export function readJoinerConfig(environment: NodeJS.ProcessEnv = process.env): JoinerConfig {
  const env = readEnv(
    {
      JOINER_REWARD_WAIT_MS: intIn(0, 24 * 3_600_000)({ default: 60_000, desc: 'reward wait after serving' }),
      JOINER_SESSION_TIMEOUT_MS: intIn(100, 24 * 3_600_000)({ default: 120_000, desc: 'inactivity that ends a session' }),
      JOINER_JOIN_WAIT_MS: intIn(0, 3_600_000)({ default: 1_000, desc: 'grace after the next request before emitting' }),
      JOINER_REWARD_IMPRESSION: numIn(-1e6, 1e6)({ default: 0, desc: 'reward of an impression' }),
      JOINER_REWARD_CLICK: numIn(-1e6, 1e6)({ default: 1, desc: 'reward of a click' }),
      JOINER_REWARD_ADD_TO_CART: numIn(-1e6, 1e6)({ default: 2, desc: 'reward of an add-to-cart' }),
      JOINER_REWARD_PURCHASE: numIn(-1e6, 1e6)({ default: 5, desc: 'reward of a purchase' }),
      JOINER_REWARD_VALUE_WEIGHT: numIn(-1e6, 1e6)({ default: 0, desc: 'reward per unit of feedback value' }),
      JOINER_REQUIRE_IMPRESSION: bool({ default: false, desc: 'only confirmed impressions become transitions' }),
      JOINER_SWEEP_INTERVAL_MS: intIn(10, 60_000)({ default: 200, desc: 'period of the emission sweep' }),
      JOINER_DEDUP_TTL_MS: intIn(1_000, 30 * 24 * 3_600_000)({ default: 3_600_000, desc: 'memory of seen ids' }),
    },
    environment,
  );
  // Pending requests outlive the longest wait they can be in: the session timeout plus the reward wait.
  const pendingTtlMs = env.JOINER_SESSION_TIMEOUT_MS + env.JOINER_REWARD_WAIT_MS + 60_000;
  if (env.JOINER_DEDUP_TTL_MS < pendingTtlMs) {
    throw new ConfigError(
      `JOINER_DEDUP_TTL_MS=${env.JOINER_DEDUP_TTL_MS} is shorter than a pending request lives (JOINER_SESSION_TIMEOUT_MS + JOINER_REWARD_WAIT_MS + 60000 = ${pendingTtlMs}): a redelivered event could count twice`,
    );
  }
  return {
    common: readCommonConfig(environment),
    rewardWaitMs: env.JOINER_REWARD_WAIT_MS,
    sessionTimeoutMs: env.JOINER_SESSION_TIMEOUT_MS,
    joinWaitMs: env.JOINER_JOIN_WAIT_MS,
    rewardWeights: {
      IMPRESSION: env.JOINER_REWARD_IMPRESSION,
      CLICK: env.JOINER_REWARD_CLICK,
      ADD_TO_CART: env.JOINER_REWARD_ADD_TO_CART,
      PURCHASE: env.JOINER_REWARD_PURCHASE,
    },
    rewardValueWeight: env.JOINER_REWARD_VALUE_WEIGHT,
    requireImpression: env.JOINER_REQUIRE_IMPRESSION,
    sweepIntervalMs: env.JOINER_SWEEP_INTERVAL_MS,
    dedupTtlMs: env.JOINER_DEDUP_TTL_MS,
    pendingTtlMs,
  };
}
