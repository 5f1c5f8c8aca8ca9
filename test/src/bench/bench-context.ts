import * as path from 'node:path';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { BatchingProducer, type Logger } from '@rec/shared';
import {
  cleanupAttempt,
  createTestKafka,
  createTestRedis,
  deleteNamespaceGroups,
  deleteNamespaceKeys,
  deleteNamespaceTopics,
  sleep,
  testLogger,
  testNamespace,
  type TestNamespace,
} from '../harness';
import type { BenchOptions } from './bench-options';
import { ensureBenchTopics } from './bench-kafka';
import { ChildService } from './child-service';
import { beginLoadMeter, machineLoadSoFar } from './machine-load';

/** The services a benchmark can start as child processes, and the echo service. */
export const SERVICE_SCRIPTS = {
  actor: 'services/actor/dist/main.js',
  joiner: 'services/joiner/dist/main.js',
  learner: 'services/learner/dist/main.js',
  'parameter-server': 'services/parameter-server/dist/main.js',
  echo: 'test/dist/bench/echo-service.js',
} as const;
export type BenchService = keyof typeof SERVICE_SCRIPTS;

/**
 * One benchmark's private corner of the broker and Redis (topics `bench-<name>-<random>.*`, keys
 * `bench-<name>-<random>:*`), its clients, the child processes it started, and a cleanup that stops
 * them all and deletes the topics, consumer groups and keys, whatever happened before.
 */
export interface BenchContext {
  ns: TestNamespace;
  options: BenchOptions;
  logger: Logger;
  kafka: Kafka;
  redis: Redis;
  /** A connected BatchingProducer (the services' own plumbing) for the benchmark's load. */
  producer: BatchingProducer;
  /** The environment of a child service in this namespace; `extra` wins. */
  serviceEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Starts a service as a child process (under --cpu-prof when the run profiles), tracked for cleanup. */
  start(service: BenchService, extra?: Record<string, string>, label?: string): Promise<ChildService>;
  /** Registers a cleanup step, run (newest first) before the children are stopped. */
  onCleanup(step: () => unknown): void;
  cleanup(): Promise<void>;
}

/** A namespace of its own for one benchmark: topics `bench-<name>-<random>.*`, Redis keys `bench-<name>-<random>:*`. */
export function benchNamespace(name: string): TestNamespace {
  return testNamespace(name, 'bench');
}

export async function openBenchContext(name: string, options: BenchOptions): Promise<BenchContext> {
  const ns = benchNamespace(name);
  const logger = testLogger(`bench-${name}`);
  const kafka = createTestKafka(`bench-${ns.id}`);
  const redis = await createTestRedis();
  await ensureBenchTopics(kafka, ns.topics);
  const producer = new BatchingProducer(kafka);
  await producer.connect();
  const children: ChildService[] = [];
  const steps: (() => unknown)[] = [];
  let cleaned: Promise<void> | null = null;

  const serviceEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    ...ns.env,
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: '10000',
    // Saturation runs queue the requests before the service starts: a new group must read them.
    KAFKA_START_FROM: 'earliest',
    ...extra,
  });

  const context: BenchContext = {
    ns,
    options,
    logger,
    kafka,
    redis,
    producer,
    serviceEnv,
    start: async (service, extra = {}, label = service) => {
      const child = await ChildService.start({
        name: label,
        script: SERVICE_SCRIPTS[service],
        env: serviceEnv(extra),
        logDir: path.join(options.resultsDir, 'logs', ns.id),
        cpuProfileDir: options.profile ? path.join(options.resultsDir, 'profiles', ns.id) : undefined,
      });
      children.push(child);
      return child;
    },
    onCleanup: (step) => void steps.push(step),
    cleanup: () => {
      cleaned ??= (async () => {
        const attempt = cleanupAttempt(ns.id);
        for (const step of steps.reverse()) await attempt('a registered step', step);
        await Promise.all(children.map((child) => attempt(`stopping ${child.spec.name}`, () => child.stop())));
        await attempt('disconnecting the producer', () => producer.disconnect());
        await attempt('deleting topics', () => deleteNamespaceTopics(kafka, ns));
        // A topic whose creation was failing when the run broke can show up in the listing only later.
        await attempt('deleting late topics', async () => {
          await sleep(1_000);
          await deleteNamespaceTopics(kafka, ns);
        });
        await attempt('deleting consumer groups', () => deleteNamespaceGroups(kafka, ns));
        await attempt('deleting Redis keys', () => deleteNamespaceKeys(redis, ns));
        await attempt('closing Redis', () => redis.quit());
      })();
      return cleaned;
    },
  };
  return context;
}

/**
 * Runs a benchmark command: opens its context, runs `body`, always cleans up (also on SIGINT/SIGTERM),
 * and sets the exit code (0 measured, 1 failed). Target misses are reported, not failures.
 */
export function runBench(name: string, options: BenchOptions, body: (ctx: BenchContext) => Promise<void>): void {
  let ctx: BenchContext | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${name}: ${signal}; cleaning up`);
    void (ctx?.cleanup() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  void (async () => {
    const started = Date.now();
    beginLoadMeter();
    try {
      ctx = await openBenchContext(name, options);
      console.log(`${name}: namespace ${ctx.ns.topicPrefix} (${options.quick ? 'quick' : 'full'} run); one benchmark at a time on this machine`);
      await body(ctx);
      process.exitCode = 0;
    } catch (error) {
      console.error(`${name}: FAILED: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    } finally {
      await ctx?.cleanup();
      const load = machineLoadSoFar();
      if (load !== null && load.foreignCpuCores > 0.2) {
        console.log(`${name}: WARNING: other processes used ${load.foreignCpuCores} cores on average during this run (outside this benchmark, Kafka and Redis): figures are skewed`);
      }
      console.log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s (CPU cores used on average: benchmark ${load?.benchmarkCpuCores}, Kafka ${load?.brokerCpuCores}, Redis ${load?.redisCpuCores}, other ${load?.foreignCpuCores})`);
      // Stray handles (kafkajs timers) must not keep a finished benchmark alive.
      setTimeout(() => process.exit(), 200).unref();
    }
  })();
}
