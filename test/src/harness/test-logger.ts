import { createLogger, type Logger } from '@rec/shared';

/** A quiet logger for tests: level TEST_LOG_LEVEL (default error), so kafkajs rebalance chatter stays out of the output. */
export function testLogger(name: string): Logger {
  return createLogger(name, process.env.TEST_LOG_LEVEL ?? 'error');
}
