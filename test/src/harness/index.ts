/** The test harness: unique namespaces on the real broker and Redis, produce/consume helpers, cleanup. */
export * from './infra-endpoints';
export * from './test-namespace';
export * from './test-logger';
export * from './wait';
export * from './kafka-helpers';
export * from './redis-helpers';
export * from './cleanup-attempt';
export * from './test-context';
export * from './sample-records';
export * from './plain-record';
export * from './tcp-proxy';
export * from './started-platform';
export * from './prometheus-server';
export * from './simulator-process';
export * from './rec-cli';
export * from './run-process';
export * from './temporary-directory';
