import type { Consumer } from 'kafkajs';
import type { Logger } from '../logging/logger';
import { backoffDelayMs, type BackoffPolicy } from '../retry/backoff';

const RESTART_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

/**
 * Restarts a consumer that kafkajs gave up on. kafkajs restarts a crashed consumer only when the crash's
 * root cause is retriable; a broker restart can end in "Failed to find group coordinator" wrapped as
 * non-retriable, and the consumer then stays stopped for good: the actor answered nothing more in the
 * broker-restart fault. Here any such crash is logged, reported (readiness), and the consumer is
 * connected, subscribed and run again by `start` after a jittered backoff, for as long as it takes,
 * until the consumer is disconnected on purpose (the shutdown calls `consumer.disconnect()`).
 */
export function restartWhenKafkajsGivesUp(
  consumer: Consumer,
  start: () => Promise<void>,
  options: { logger: Logger; onCrash?: (error: unknown) => void },
): void {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const disconnect = consumer.disconnect.bind(consumer);
  consumer.disconnect = async () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    await disconnect();
  };
  const attempt = (n: number) => {
    const delayMs = backoffDelayMs(n, RESTART_BACKOFF) + 500;
    timer = setTimeout(() => {
      timer = null;
      if (stopped) return;
      start().then(
        () => options.logger.warn({ attempt: n }, 'consumer restarted after kafkajs gave up on it'),
        (error: unknown) => {
          options.logger.warn({ attempt: n, err: error }, 'consumer restart failed; trying again');
          if (!stopped) attempt(n + 1);
        },
      );
    }, delayMs);
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || stopped) return;
    options.logger.error({ err: payload.error, groupId: payload.groupId }, 'consumer crashed and kafkajs will not restart it; restarting it ourselves');
    options.onCrash?.(payload.error);
    attempt(1);
  });
}
