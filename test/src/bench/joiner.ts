/**
 * The joiner's sweep on its own: how fast one sweep empties a backlog of due requests.
 *
 *   node test/dist/bench/joiner.js [--quick]      -> <results>/joiner.json
 *
 * Each repetition preloads, in keys of its own, a backlog of pending requests on the 4 transitions
 * partitions the way the services leave it: the actor's request states (RequestStateStore.putMany, 512
 * bytes each), the joiner's own scripts for each action (recordAction), the link to the user's next request
 * (linkNext: users make chains of 4 requests) and one click per request (applyFeedback), every request due
 * already. Then the real RewardJoiner (real Redis, real broker, its producer acks all) runs one sweep over the
 * 4 partitions and the time it takes is measured: requests/s and transitions/s (slates of 10 items, 10
 * transitions per request). Figures are medians over the repetitions, after one warm-up sweep of each that is
 * not counted. The preload is not timed.
 *
 * Old against new, side by side: BENCH_JOINER_BASELINE=<dir> names another build of the joiner (the files
 * of services/joiner/dist from another commit, copied to a folder inside the repository so that it resolves
 * @rec/shared, e.g. results/joiner-baseline); the two then sweep alternately, each on a backlog of its own
 * built the same way, in one run, and the ratio of the medians is reported. Several folders, comma-separated,
 * sweep in turn too (the first is 'baseline', the others are named after their folder). The current build
 * also sweeps with JOINER_SWEEP_PARTITIONS_CONCURRENTLY=1 (current-one-partition-at-once), to show what
 * sweeping partitions together adds.
 */
import * as currentJoiner from '@rec/joiner';
import { BatchingProducer, LiveCatalog, PopularityStore, RequestStateStore, UserHistoryStore, ServiceMetrics, redisKeys, type RedisKeys } from '@rec/shared';
import { BENCH_PARTITIONS } from './bench-kafka';
import { readBenchOptions } from './bench-options';
import { runBench, type BenchContext } from './bench-context';
import { PENDING_OPTIONS, REQUESTS_PER_USER, SLATE_SIZE, baselineBuildDirs, counterTotal, joinerBenchCatalog, withBaselineBuilds, type JoinerBenchPlan, type JoinerModule, type JoinerVariant } from './joiner-builds';
import { printTable, runConditions, writeResults } from './bench-report';
import { median, round } from './bench-stats';

type Plan = JoinerBenchPlan;

const FULL: Plan = { requestsPerPartition: 3_000, repetitions: 5 };
const QUICK: Plan = { requestsPerPartition: 500, repetitions: 2 };

const STATE_BYTES = 512;
/** Preload writes issued at once (each a script call), so the preload neither waits on one round trip at a time nor floods the client. */
const PRELOAD_CHUNK = 2_000;
type Variant = JoinerVariant;

interface SweepRun {
  variant: string;
  repetition: number;
  requests: number;
  seconds: number;
  transitions: number;
  dropped: number;
  leftDue: number;
}

async function inChunks<T>(items: readonly T[], write: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += PRELOAD_CHUNK) await Promise.all(items.slice(start, start + PRELOAD_CHUNK).map(write));
}

/** Writes the backlog: states, actions, links to the next request and a click each; every request due already. */
async function preload(ctx: BenchContext, module: JoinerModule, keys: RedisKeys, plan: Plan, catalogIds: readonly string[]): Promise<number> {
  const redis = ctx.redis.duplicate();
  try {
    const pending = new module.PendingRequestStore(redis, keys, PENDING_OPTIONS);
    const states = new RequestStateStore(redis, keys, PENDING_OPTIONS.ttlMs);
    const servedAt = Date.now() - 10_000;
    const requests: { requestId: string; userId: string; partition: number; index: number }[] = [];
    for (let partition = 0; partition < BENCH_PARTITIONS; partition += 1) {
      for (let index = 0; index < plan.requestsPerPartition; index += 1) {
        const user = Math.floor(index / REQUESTS_PER_USER);
        requests.push({ requestId: `p${partition}-r${index}`, userId: `p${partition}-u${user}`, partition, index });
      }
    }
    const state = Buffer.alloc(STATE_BYTES, 7);
    for (let start = 0; start < requests.length; start += PRELOAD_CHUNK) {
      await states.putMany(requests.slice(start, start + PRELOAD_CHUNK).map(({ requestId }) => ({ requestId, requestTimestamp: servedAt, state })));
    }
    const itemsOf = (index: number) =>
      Array.from({ length: SLATE_SIZE }, (_, position) => ({ itemId: catalogIds[(index * 7 + position) % catalogIds.length], position, propensity: 0.1 }));
    // One user's requests in order (each script sees its predecessor as the user's last request).
    await inChunks(requests, ({ requestId, userId, partition, index }) =>
      pending.recordAction({ requestId, userId, servedAt, modelVersion: 1, items: itemsOf(index) }, partition, servedAt),
    );
    await inChunks(
      requests.filter(({ index }) => index % REQUESTS_PER_USER !== REQUESTS_PER_USER - 1),
      ({ requestId, partition, index }) => pending.linkNext(requestId, `p${partition}-r${index + 1}`, partition, servedAt),
    );
    await inChunks(requests, ({ requestId, userId, index }) =>
      pending.applyFeedback({ eventId: `e-${requestId}`, userId, requestId, itemId: itemsOf(index)[0].itemId, historyEntry: `click ${index}`, reward: 1, impression: false, arrivedAt: servedAt + 1 }),
    );
    return requests.length;
  } finally {
    await redis.quit();
  }
}

/** One sweep of a fresh joiner of `variant` over a freshly preloaded backlog. */
async function sweepOnce(ctx: BenchContext, variant: Variant, repetition: number, plan: Plan, catalog: LiveCatalog, catalogIds: readonly string[]): Promise<SweepRun> {
  const keys = redisKeys(`${ctx.ns.redisKeyPrefix}${variant.name}-${repetition}:`);
  const requests = await preload(ctx, variant.module, keys, plan, catalogIds);
  const redis = ctx.redis.duplicate();
  const producer = new BatchingProducer(ctx.kafka);
  await producer.connect();
  try {
    const serviceMetrics = new ServiceMetrics('joiner');
    const pending = new variant.module.PendingRequestStore(redis, keys, PENDING_OPTIONS);
    const joiner = new variant.module.RewardJoiner({
      config: variant.module.readJoinerConfig(variant.env ?? {}),
      pending,
      requestStates: new RequestStateStore(redis, keys, PENDING_OPTIONS.ttlMs),
      popularity: new PopularityStore(redis, keys),
      histories: new UserHistoryStore(redis, keys),
      catalog,
      producer,
      feedbackTopic: ctx.ns.topics.feedback,
      transitionsTopic: ctx.ns.topics.transitions,
      metrics: new variant.module.JoinerMetrics(serviceMetrics),
      logger: ctx.logger,
    });
    joiner.setOwnedPartitions(Array.from({ length: BENCH_PARTITIONS }, (_, partition) => partition));
    const started = performance.now();
    await joiner.sweep();
    const seconds = (performance.now() - started) / 1000;
    const leftDue = await pending.pendingCount(joiner.partitions);
    return {
      variant: variant.name,
      repetition,
      requests,
      seconds,
      transitions: await counterTotal(serviceMetrics, 'rec_joiner_transitions_total'),
      dropped: await counterTotal(serviceMetrics, 'rec_joiner_requests_dropped_total'),
      leftDue,
    };
  } finally {
    await producer.disconnect();
    await redis.quit();
  }
}

async function main(ctx: BenchContext): Promise<void> {
  const plan = ctx.options.quick ? QUICK : FULL;
  const { catalog, catalogIds } = joinerBenchCatalog();
  const variants = withBaselineBuilds([
    // What sweeping several partitions at once adds: the same build, one partition after another.
    { name: 'current-one-partition-at-once', module: currentJoiner, env: { JOINER_SWEEP_PARTITIONS_CONCURRENTLY: '1' } },
    { name: 'current', module: currentJoiner },
  ]);
  const total = plan.requestsPerPartition * BENCH_PARTITIONS;
  console.log(`${variants.map(({ name }) => name).join(' and ')}: ${plan.repetitions} sweeps each of ${total} due requests (${BENCH_PARTITIONS} partitions, ${SLATE_SIZE} items each), alternating`);
  const runs: SweepRun[] = [];
  // Repetition 0 warms the code paths and connections of each variant and is not counted.
  for (let repetition = 0; repetition <= plan.repetitions; repetition += 1) {
    for (const variant of variants) {
      const run = await sweepOnce(ctx, variant, repetition, plan, catalog, catalogIds);
      if (repetition > 0) runs.push(run);
      console.log(`  ${variant.name} ${repetition === 0 ? 'warm-up' : `#${repetition}`}: ${run.seconds.toFixed(2)} s, ${Math.round(run.requests / run.seconds)} requests/s, ${run.transitions} transitions, ${run.dropped} dropped, ${run.leftDue} left due`);
    }
  }
  const rows = variants.map(({ name }) => {
    const own = runs.filter((run) => run.variant === name);
    return {
      variant: name,
      sweeps: own.length,
      requestsPerSecond: round(median(own.map((run) => run.requests / run.seconds)), 0),
      transitionsPerSecond: round(median(own.map((run) => run.transitions / run.seconds)), 0),
      medianSeconds: round(median(own.map((run) => run.seconds)), 2),
      dropped: own.reduce((sum, run) => sum + run.dropped, 0),
      leftDue: own.reduce((sum, run) => sum + run.leftDue, 0),
    };
  });
  printTable('joiner sweep (one sweep over a preloaded backlog; medians)', rows);
  const baseline = rows.find(({ variant }) => variant === 'baseline');
  const ratio = baseline === undefined ? null : round((rows.find(({ variant }) => variant === 'current')?.requestsPerSecond ?? 0) / (baseline.requestsPerSecond ?? Number.NaN), 2);
  if (ratio !== null) console.log(`current / baseline requests/s: ${ratio}`);
  const file = writeResults(ctx.options, 'joiner', {
    ...runConditions(ctx.options, { requestsPerSweep: total, partitions: BENCH_PARTITIONS, slateSize: SLATE_SIZE, stateBytes: STATE_BYTES, baselineDirs: baselineBuildDirs() }),
    rows,
    ratio,
    runs,
  });
  console.log(`wrote ${file}`);
}

runBench('joiner', readBenchOptions(), main);
