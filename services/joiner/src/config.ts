import { ConfigError, readCommonConfig, readRewardFunction, readSettings, setting, type CommonConfig, type FeedbackType, type SettingValues } from '@rec/shared';

/** Every setting of a joiner, declared once (README table and `rec config` come from here). */
export const JOINER_SETTINGS = {
  rewardWaitMs: setting.int('JOINER_REWARD_WAIT_MS', 60_000, [0, 24 * 3_600_000], 'feedback counts for a recommendation only this long after it was served'),
  // A request with no successor for this long (processing time), or whose successor is stamped later than
  // this (the platform's clock), becomes done transitions.
  sessionTimeoutMs: setting.int('JOINER_SESSION_TIMEOUT_MS', 120_000, [100, 24 * 3_600_000], 'a session ends after this long without a request'),
  joinWaitMs: setting.int('JOINER_JOIN_WAIT_MS', 1_000, [0, 3_600_000], "once the user's next request fixes the next state, wait this much longer for feedback in flight, then emit (the joiner's whole addition to freshness)"),
  organicNegatives: setting.int('JOINER_ORGANIC_NEGATIVES', 4, [0, 100], 'organic clicks (no requestId) become training examples: the clicked item plus this many random catalog items with reward 0 (design decision 15); 0 = organic clicks only update the history'),
  requireImpression: setting.boolean('JOINER_REQUIRE_IMPRESSION', false, 'only items the platform confirmed as shown (an IMPRESSION) become transitions'),
  // Each partition's records are folded in order; users never span partitions, and feedback may come
  // before its action whatever the order, so partitions need no order between them.
  partitionsConcurrently: setting.int('JOINER_PARTITIONS_CONCURRENTLY', 4, [1, 256], "actions and feedback partitions handled at once (their Redis and Kafka round trips overlap); 1 = one at a time"),
  sweepIntervalMs: setting.int('JOINER_SWEEP_INTERVAL_MS', 200, [10, 60_000], 'how often due transitions are emitted'),
  // Each partition's sweep keeps one batch in its send while it prepares the next; every batch in flight
  // holds its encoded transitions (about 5 MiB for 512 requests of 10 items), so this also bounds memory.
  sweepPartitionsConcurrently: setting.int('JOINER_SWEEP_PARTITIONS_CONCURRENTLY', 4, [1, 256], 'owned partitions a sweep emits at once, each oldest first; 1 = one after another'),
  // A sweep runs one phase at a time per batch (due, claim, states, send, mark); a phase that hangs
  // held every later sweep behind it, silently (sweeps never overlap). These three make that visible and bounded.
  sweepSlowPhaseMs: setting.int('JOINER_SWEEP_SLOW_PHASE_MS', 5_000, [10, 3_600_000], 'a sweep phase (due, claim, states, send, mark) still running after this long is logged as a warning, naming the phase'),
  sweepPhaseTimeoutMs: setting.int('JOINER_SWEEP_PHASE_TIMEOUT_MS', 30_000, [10, 3_600_000], 'a sweep phase still running after this long fails the sweep, and the next tick retries; requests whose send is still unacknowledged are not sent again until it settles'),
  sweepStallMs: setting.int('JOINER_SWEEP_STALL_MS', 60_000, [100, 24 * 3_600_000], 'readiness fails while the joiner owns partitions and no sweep has completed for this long; keep it well below the pending-request lifetime (session timeout + reward wait + 60 s), after which a stalled request is lost'),
  // At least the pending-request lifetime, so a redelivered event can never count twice towards a reward;
  // beyond it a duplicate only repeats a history entry. Ids live in one sorted set per user
  // (`user:{id}:seen`, 96-bit digests): about 35 bytes per id for users with up to 128 ids in the window, 113
  // above (the set leaves its compact encoding), against 168 for a key per id.
  dedupTtlMs: setting.int('JOINER_DEDUP_TTL_MS', 3_600_000, [1_000, 30 * 24 * 3_600_000], 'how long eventIds and requestIds are remembered for duplicate dropping; at least the pending-request lifetime (session timeout + reward wait + 60 s), else the joiner refuses to start'),
};

type JoinerSettings = SettingValues<typeof JOINER_SETTINGS>;

/** Every setting of a joiner, read once from the environment. */
export type JoinerConfig = { common: CommonConfig } & JoinerSettings & {
  /** Reward per feedback type (JOINER_REWARD_IMPRESSION, _CLICK, _ADD_TO_CART, _PURCHASE: REWARD_SETTINGS in @rec/shared). */
  rewardWeights: Record<FeedbackType, number>;
  /** Reward per unit of feedback `value` (JOINER_REWARD_VALUE_WEIGHT). */
  rewardValueWeight: number;
  /** How long a pending request and its recorded state live in Redis: the longest wait they can be in (derived). */
  pendingTtlMs: number;
};

/** Pending requests outlive the longest wait they can be in: the session timeout plus the reward wait, plus a minute. */
export function pendingTtlOf(settings: Pick<JoinerSettings, 'sessionTimeoutMs' | 'rewardWaitMs'>): number {
  return settings.sessionTimeoutMs + settings.rewardWaitMs + 60_000;
}

export function readJoinerConfig(environment: NodeJS.ProcessEnv = process.env): JoinerConfig {
  const settings = readSettings(JOINER_SETTINGS, environment);
  const reward = readRewardFunction(environment);
  const pendingTtlMs = pendingTtlOf(settings);
  if (settings.dedupTtlMs < pendingTtlMs) {
    throw new ConfigError(
      `JOINER_DEDUP_TTL_MS=${settings.dedupTtlMs} is shorter than a pending request lives (JOINER_SESSION_TIMEOUT_MS + JOINER_REWARD_WAIT_MS + 60000 = ${pendingTtlMs}): a redelivered event could count twice`,
    );
  }
  return {
    common: readCommonConfig(environment),
    ...settings,
    rewardWeights: reward.weights,
    rewardValueWeight: reward.valueWeight,
    pendingTtlMs,
  };
}
