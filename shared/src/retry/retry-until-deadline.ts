import { isRetriable } from '../errors/errors';
import type { Logger } from '../logging/logger';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';

/**
 * Runs a start-up step, retrying retriable failures (a broker that is still electing coordinators, a
 * Redis that is loading its AOF, a network blip) with jittered backoff until `deadlineMs` has passed
 * since the first try; then, or at once for a non-retriable failure, it throws the last error.
 * "This is not the correct coordinator for this group" right after a broker starts is the classic case.
 */
export async function retryUntilDeadline<T>(
  what: string,
  step: () => Promise<T>,
  options: { deadlineMs: number; logger: Logger; backoff?: BackoffPolicy; onRetry?: (error: unknown) => void },
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      const elapsed = Date.now() - started;
      if (!isRetriable(error) || elapsed >= options.deadlineMs) throw error;
      const delayMs = Math.min(backoffDelayMs(attempt, options.backoff ?? DEFAULT_BACKOFF), Math.max(0, options.deadlineMs - elapsed));
      options.onRetry?.(error);
      options.logger.warn({ step: what, attempt, delayMs, err: error }, 'start-up step failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
