/** Exponential backoff with full jitter: a uniform delay in [0, min(maxMs, initialMs * 2^(attempt-1))]. */
export interface BackoffPolicy {
  /** The ceiling of the first delay. */
  initialMs: number;
  /** The ceiling of every delay. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000 };

/**
 * The delay before retry number `attempt` (1-based). Full jitter (a uniform draw up to the exponential
 * ceiling) spreads the retries of many processes that failed together, so a recovering broker or Redis
 * is not hit by all of them at once.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(random() * ceiling);
}
