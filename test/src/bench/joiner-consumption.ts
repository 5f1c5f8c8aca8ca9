/**
 * The joiner's consumption on its own: how many actions and feedback events per second its chunk handling
 * folds into Redis.
 *
 *   node test/dist/bench/joiner-consumption.js [--quick]      -> <results>/joiner-consumption.json
 *
 * Each repetition, in keys of its own, feeds pre-encoded Avro records (the bytes the consumer gets from
 * Kafka) through what the joiner's consumer does with them: decode and validate each one, then the real
 * RewardJoiner's `handle` on chunks of up to 1,000 records of one topic-partition (the joiner's maxChunk),
 * on the real Redis through the services' own connection (createRedis: auto-pipelined), 4 partitions at once (JOINER_PARTITIONS_CONCURRENTLY's default). Per request: its
 * action (a slate of 10) and 3 feedback events naming it (2 impressions and a click), about the mix of the
 * 1,000 requests/s soak (4,000 messages/s); users make chains of 4 requests. Each partition handles a chunk
 * of actions, then the chunks of their feedback, and so on, in order. Messages/s is every record handled
 * over the wall time; beside it the CPU spent per message by this process (decoding and handling) and by
 * the Redis server (INFO cpu: shared with whatever else uses it), since on a busy machine the joiner's
 * share of the cores, not its wall time alone, bounds what it reads. Figures are medians over the
 * repetitions, after one warm-up of each that is not counted.
 *
 * Old against new, side by side: BENCH_JOINER_BASELINE=<dir>[,<dir>...] names other builds of the joiner
 * (another commit's services/joiner/dist copied inside the repository, e.g. results/joiner-987cf25), as in
 * joiner.ts; all run alternately in one run, and current / baseline is reported.
 */
import type { KafkaMessage } from 'kafkajs';
import * as currentJoiner from '@rec/joiner';
import {
  PopularityStore,
  UserHistoryStore,
  RequestStateStore,
  ServiceMetrics,
  LiveCatalog,
  codecs,
  createRedis,
  redisKeys,
  validateAction,
  validateFeedback,
  type ConsumedRecord,
  type RecommendationAction,
  type UserFeedback,
} from '@rec/shared';
import { redisUrl } from '../harness';
import { BENCH_PARTITIONS } from './bench-kafka';
import { readBenchOptions } from './bench-options';
import { runBench, type BenchContext } from './bench-context';
import { PENDING_OPTIONS, REQUESTS_PER_USER, SLATE_SIZE, baselineBuildDirs, counterTotal, joinerBenchCatalog, withBaselineBuilds, type JoinerBenchPlan, type JoinerVariant } from './joiner-builds';
import { printTable, runConditions, writeResults } from './bench-report';
import { median, round } from './bench-stats';

type Plan = JoinerBenchPlan;

const FULL: Plan = { requestsPerPartition: 1_000, repetitions: 5 };
const QUICK: Plan = { requestsPerPartition: 250, repetitions: 2 };

/** The joiner's maxChunk (services/joiner/src/main.ts). */
const MAX_CHUNK = 1_000;
type Variant = JoinerVariant;

/** One topic-partition's chunk as the consumer would hand it over, still encoded. */
interface EncodedChunk {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

interface ConsumptionRun {
  variant: string;
  repetition: number;
  messages: number;
  seconds: number;
  counted: number;
  duplicates: number;
  /** CPU this process spent (decoding and the joiner's handling), microseconds per message. */
  clientCpuUsPerMessage: number;
  /** CPU the Redis server spent (INFO cpu, shared with anything else using it), microseconds per message. */
  redisCpuUsPerMessage: number;
}

/** The Redis server's CPU time so far (user + system), microseconds. */
async function redisCpuUs(redis: BenchContext['redis']): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

function message(offset: number, key: string, value: Buffer, timestamp: number): KafkaMessage {
  return { key: Buffer.from(key), value, timestamp: String(timestamp), attributes: 0, offset: String(offset), headers: {} } as KafkaMessage;
}

/** Per partition, its chunks in the order the joiner handles them: a chunk of actions, then their feedback, and so on. */
function encodeWorkload(ctx: BenchContext, plan: Plan, catalogIds: readonly string[], prefix: string): EncodedChunk[][] {
  const servedAt = Date.now();
  const { actions: actionsTopic, feedback: feedbackTopic } = ctx.ns.topics;
  return Array.from({ length: BENCH_PARTITIONS }, (_, partition) => {
    const chunks: EncodedChunk[] = [];
    let offset = 0;
    for (let first = 0; first < plan.requestsPerPartition; first += MAX_CHUNK) {
      const actions: KafkaMessage[] = [];
      const feedback: KafkaMessage[] = [];
      for (let index = first; index < Math.min(first + MAX_CHUNK, plan.requestsPerPartition); index += 1) {
        const userId = `${prefix}p${partition}-u${Math.floor(index / REQUESTS_PER_USER)}`;
        const requestId = `${prefix}p${partition}-r${index}`;
        const items = Array.from({ length: SLATE_SIZE }, (_, position) => ({
          itemId: catalogIds[(index * 7 + position) % catalogIds.length],
          position,
          score: 1 - position / SLATE_SIZE,
          propensity: 0.1,
          explored: false,
        }));
        const action: RecommendationAction = { requestId, userId, timestamp: servedAt, items, modelVersion: 1, epsilon: 0.1, policy: 'ddqn' };
        actions.push(message(offset++, userId, codecs.action.encode(action), servedAt));
        const events: [string, UserFeedback['type']][] = [
          [items[0].itemId, 'IMPRESSION'],
          [items[1].itemId, 'IMPRESSION'],
          [items[0].itemId, 'CLICK'],
        ];
        events.forEach(([itemId, type], event) => {
          const value: UserFeedback = { eventId: `${requestId}-e${event}`, userId, requestId, itemId, type, value: 0, timestamp: servedAt + 1 };
          feedback.push(message(offset++, userId, codecs.feedback.encode(value), servedAt + 1));
        });
      }
      chunks.push({ topic: actionsTopic, partition, messages: actions });
      for (let start = 0; start < feedback.length; start += MAX_CHUNK) chunks.push({ topic: feedbackTopic, partition, messages: feedback.slice(start, start + MAX_CHUNK) });
    }
    return chunks;
  });
}

/** What runBatchConsumer does with a chunk's bytes before the handler: decode and validate each record. */
function decodeChunk(chunk: EncodedChunk, actionsTopic: string): ConsumedRecord<RecommendationAction | UserFeedback>[] {
  const decode = chunk.topic === actionsTopic ? (bytes: Buffer | null) => validateAction(codecs.action.decode(bytes)) : (bytes: Buffer | null) => validateFeedback(codecs.feedback.decode(bytes));
  return chunk.messages.map((raw) => ({
    topic: chunk.topic,
    partition: chunk.partition,
    offset: raw.offset,
    key: raw.key === null ? null : raw.key.toString('utf8'),
    value: decode(raw.value),
    timestamp: Number(raw.timestamp),
    raw,
  }));
}

/** A fresh joiner of `variant` consumes a freshly encoded workload; only decoding and handling are timed. */
async function consumeOnce(ctx: BenchContext, variant: Variant, repetition: number, plan: Plan, catalog: LiveCatalog, catalogIds: readonly string[]): Promise<ConsumptionRun> {
  const keys = redisKeys(`${ctx.ns.redisKeyPrefix}${variant.name}-${repetition}:`);
  const workload = encodeWorkload(ctx, plan, catalogIds, `${variant.name}-${repetition}-`);
  // The services' own connection (auto-pipelined, as the joiner's is), not the test helpers' plain one.
  const redis = createRedis(redisUrl(), ctx.logger);
  try {
    const serviceMetrics = new ServiceMetrics('joiner');
    const joiner = new variant.module.RewardJoiner({
      config: variant.module.readJoinerConfig({}),
      pending: new variant.module.PendingRequestStore(redis, keys, PENDING_OPTIONS),
      requestStates: new RequestStateStore(redis, keys, PENDING_OPTIONS.ttlMs),
      popularity: new PopularityStore(redis, keys),
      histories: new UserHistoryStore(redis, keys),
      catalog,
      producer: ctx.producer,
      feedbackTopic: ctx.ns.topics.feedback,
      transitionsTopic: ctx.ns.topics.transitions,
      metrics: new variant.module.JoinerMetrics(serviceMetrics),
      logger: ctx.logger,
    });
    const messages = workload.flat().reduce((sum, chunk) => sum + chunk.messages.length, 0);
    const redisCpuBefore = await redisCpuUs(ctx.redis);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      workload.map(async (chunks) => {
        for (const chunk of chunks) await joiner.handle(decodeChunk(chunk, ctx.ns.topics.actions));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const redisCpu = (await redisCpuUs(ctx.redis)) - redisCpuBefore;
    return {
      variant: variant.name,
      repetition,
      messages,
      seconds,
      counted: await counterTotal(serviceMetrics, 'rec_joiner_feedback_total', { outcome: 'counted' }),
      duplicates: (await counterTotal(serviceMetrics, 'rec_joiner_feedback_total', { outcome: 'duplicate' })) + (await counterTotal(serviceMetrics, 'rec_joiner_duplicate_actions_total')),
      clientCpuUsPerMessage: (cpu.user + cpu.system) / messages,
      redisCpuUsPerMessage: redisCpu / messages,
    };
  } finally {
    await redis.quit();
  }
}

async function main(ctx: BenchContext): Promise<void> {
  const plan = ctx.options.quick ? QUICK : FULL;
  const { catalog, catalogIds } = joinerBenchCatalog();
  const variants = withBaselineBuilds([{ name: 'current', module: currentJoiner }]);
  const requests = plan.requestsPerPartition * BENCH_PARTITIONS;
  console.log(`${variants.map(({ name }) => name).join(' and ')}: ${plan.repetitions} runs each of ${requests} actions and ${requests * 3} feedback events (${BENCH_PARTITIONS} partitions at once, chunks of ${MAX_CHUNK}), alternating`);
  const runs: ConsumptionRun[] = [];
  for (let repetition = 0; repetition <= plan.repetitions; repetition += 1) {
    for (const variant of variants) {
      const run = await consumeOnce(ctx, variant, repetition, plan, catalog, catalogIds);
      if (repetition > 0) runs.push(run);
      console.log(`  ${variant.name} ${repetition === 0 ? 'warm-up' : `#${repetition}`}: ${run.seconds.toFixed(2)} s, ${Math.round(run.messages / run.seconds)} messages/s, client ${run.clientCpuUsPerMessage.toFixed(1)} / Redis ${run.redisCpuUsPerMessage.toFixed(1)} CPU us per message, ${run.counted} counted, ${run.duplicates} duplicates`);
    }
  }
  const rows = variants.map(({ name }) => {
    const own = runs.filter((run) => run.variant === name);
    return {
      variant: name,
      runs: own.length,
      messagesPerSecond: round(median(own.map((run) => run.messages / run.seconds)), 0),
      medianSeconds: round(median(own.map((run) => run.seconds)), 2),
      clientCpuUsPerMessage: round(median(own.map((run) => run.clientCpuUsPerMessage)), 1),
      redisCpuUsPerMessage: round(median(own.map((run) => run.redisCpuUsPerMessage)), 1),
      counted: own.reduce((sum, run) => sum + run.counted, 0),
      duplicates: own.reduce((sum, run) => sum + run.duplicates, 0),
    };
  });
  printTable('joiner consumption (decode + handle, chunks of 1,000, 4 partitions at once; medians)', rows);
  const baseline = rows.find(({ variant }) => variant === 'baseline');
  const ratio = baseline === undefined ? null : round((rows.find(({ variant }) => variant === 'current')?.messagesPerSecond ?? 0) / (baseline.messagesPerSecond ?? Number.NaN), 2);
  if (ratio !== null) console.log(`current / baseline messages/s: ${ratio}`);
  const file = writeResults(ctx.options, 'joiner-consumption', {
    ...runConditions(ctx.options, { requests, feedbackPerRequest: 3, partitions: BENCH_PARTITIONS, slateSize: SLATE_SIZE, maxChunk: MAX_CHUNK, baselineDirs: baselineBuildDirs() }),
    rows,
    ratio,
    runs,
  });
  console.log(`wrote ${file}`);
}

runBench('joiner-consumption', readBenchOptions(), main);
