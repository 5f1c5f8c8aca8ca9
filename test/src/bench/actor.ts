/**
 * Actor throughput and latency against the real broker, one actor process vs. the echo ceiling.
 *
 *   node test/dist/bench/actor.js [--quick] [--profile]      -> <results>/actor.json
 *
 * Saturation: N requests are produced first; then the service (one child process) starts and serves them
 * all; decisions/s = the actions' broker timestamps, from the first micro-batch's to the last. The same
 * for the echo service (test/src/bench/echo-service.ts: same plumbing, no work), in its own topics,
 * alternating actor and echo repetitions; medians over repetitions. Latency: an outside producer offers a
 * fixed rate (each request's `timestamp` is its send time), an outside consumer of rec.actions.v1 takes
 * the receive time; p50/p99 per window after a warm-up, medians over windows.
 */
import { randomBytes } from 'node:crypto';
import { codecs } from '@rec/shared';
import { readBenchOptions } from './bench-options';
import { runBench, type BenchContext, type BenchService } from './bench-context';
import { benchCatalog, publishCatalog } from './bench-catalog';
import { endOffsets, openSpace, readRange, waitForAppended, type BenchSpace } from './bench-kafka';
import { atLeast, atMost, printTable, printTargets, runConditions, writeResults } from './bench-report';
import { median, percentile, round } from './bench-stats';
import type { ChildService } from './child-service';
import { histogramQuantile, sampleValue } from './prometheus-text';
import { offerSteadyLoad, produceRequests, seedHistories } from './request-load';
import { TopicFollower } from './topic-follower';
import { sleep } from '../harness';

/** Catalog sizes measured (BENCH_ACTOR_CATALOG_SIZES=1000,10000 narrows a run for experiments). */
const CATALOG_SIZES = (process.env.BENCH_ACTOR_CATALOG_SIZES ?? '1000,10000').split(',').map(Number);
const SLATE_SIZE = 10;
const USERS = 5_000;
const HISTORY_ENTRIES = 20;
const LOADS = [1_000, 5_000];

interface Plan {
  repetitions: number;
  requests: Record<'actor' | 'echo', number>;
  warmupMs: number;
  windowMs: number;
  windows: number;
}

const FULL: Plan = { repetitions: 3, requests: { actor: 30_000, echo: 120_000 }, warmupMs: 2_000, windowMs: 8_000, windows: 3 };
const QUICK: Plan = { repetitions: 1, requests: { actor: 5_000, echo: 10_000 }, warmupMs: 500, windowMs: 2_000, windows: 1 };

type Served = 'actor' | 'echo';

/** The row shape of actor.json (exactly these fields). */
interface ActorRow {
  catalogSize: number;
  slateSize: number;
  decisionsPerSec: number | null;
  echoCeilingPerSec: number | null;
  ratio: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Requests per second offered, or "saturation" (all requests queued before the service starts). */
  offeredLoad: number | 'saturation';
}

interface LatencyResult {
  decisionsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  unanswered: number;
}

/** One saturation repetition: produce N, start the service, wait for N actions, rate from their broker timestamps. */
async function saturation(ctx: BenchContext, service: Served, space: BenchSpace, count: number, label: string): Promise<{ child: ChildService; perSec: number }> {
  const before = await endOffsets(ctx.kafka, space.topics.actions);
  await produceRequests(ctx.producer, space.topics.requests, count, `${label}-${randomBytes(3).toString('hex')}`, USERS, SLATE_SIZE);
  const child = await ctx.start(service as BenchService, space.env, label);
  const after = await waitForAppended(ctx.kafka, space.topics.actions, before, count, 60_000 + count * 5, () => {
    if (!child.running) throw new Error(`${label} exited during the run (log: ${child.logPath})`);
  });
  const messages = await readRange(ctx.kafka, space.topics.actions, before, after);
  const stamps = messages.map(({ message }) => Number(message.timestamp));
  const first = Math.min(...stamps);
  const last = Math.max(...stamps);
  // The first micro-batch's actions carry (about) one timestamp: the rate counts what came after it.
  const afterFirst = stamps.filter((stamp) => stamp > first).length;
  const perSec = last > first ? (afterFirst / (last - first)) * 1000 : Number.NaN;
  console.log(`  ${label}: ${messages.length} actions, ${Math.round(perSec)} decisions/s (${((last - first) / 1000).toFixed(2)} s after the first micro-batch)`);
  return { child, perSec };
}

/** Offers a fixed load to a running service and measures request-to-action latency from outside. */
async function latency(ctx: BenchContext, space: BenchSpace, load: number, plan: Plan, label: string): Promise<LatencyResult> {
  const sentAt = new Map<string, number>();
  const answers: { sent: number; received: number }[] = [];
  const follower = new TopicFollower(ctx.kafka, space.topics.actions, codecs.action, (action, receivedAt) => {
    const sent = sentAt.get(action.requestId);
    if (sent === undefined) return;
    sentAt.delete(action.requestId);
    answers.push({ sent, received: receivedAt });
  });
  await follower.start();
  const started = Date.now();
  const total = plan.warmupMs + plan.windows * plan.windowMs;
  let drainedAt: number;
  try {
    await offerSteadyLoad({
      producer: ctx.producer,
      topic: space.topics.requests,
      ratePerSec: load,
      durationMs: total,
      prefix: `${label}-${randomBytes(3).toString('hex')}`,
      users: USERS,
      slateSize: SLATE_SIZE,
      onSent: (request) => sentAt.set(request.requestId, request.timestamp),
    });
    const drainDeadline = Date.now() + 15_000;
    while (sentAt.size > 0 && Date.now() < drainDeadline) await sleep(50);
    drainedAt = Date.now();
  } finally {
    await follower.stop();
  }
  // Unanswered requests count with the time they had waited by the end (a lower bound).
  for (const sent of sentAt.values()) answers.push({ sent, received: drainedAt });
  const windows: LatencyResult[] = [];
  for (let window = 0; window < plan.windows; window += 1) {
    const from = started + plan.warmupMs + window * plan.windowMs;
    const to = from + plan.windowMs;
    const inWindow = answers.filter(({ sent }) => sent >= from && sent < to).map(({ sent, received }) => received - sent);
    const received = answers.filter(({ received: at }) => at >= from && at < to && at !== drainedAt).length;
    windows.push({ decisionsPerSec: (received / plan.windowMs) * 1000, p50Ms: percentile(inWindow, 50), p99Ms: percentile(inWindow, 99), unanswered: 0 });
  }
  const result: LatencyResult = {
    decisionsPerSec: median(windows.map((window) => window.decisionsPerSec)),
    p50Ms: median(windows.map((window) => window.p50Ms)),
    p99Ms: median(windows.map((window) => window.p99Ms)),
    unanswered: sentAt.size,
  };
  console.log(`  ${label}: ${Math.round(result.decisionsPerSec)} actions/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms${result.unanswered > 0 ? `, ${result.unanswered} unanswered after 15 s` : ''}`);
  return result;
}

async function main(ctx: BenchContext): Promise<void> {
  const plan = ctx.options.quick ? QUICK : FULL;
  const rows: ActorRow[] = [];
  const echoLatency: Record<string, unknown>[] = [];
  const actorInternals: Record<string, unknown>[] = [];

  for (const catalogSize of CATALOG_SIZES) {
    console.log(`\ncatalog ${catalogSize} items, slate ${SLATE_SIZE}:`);
    const spaces: Record<Served, BenchSpace> = {
      actor: await openSpace(ctx.kafka, ctx.ns, `c${catalogSize}-actor`),
      echo: await openSpace(ctx.kafka, ctx.ns, `c${catalogSize}-echo`),
    };
    await publishCatalog(ctx.producer, spaces.actor.topics.catalog, benchCatalog(catalogSize));
    await seedHistories(ctx.redis, spaces.actor.keys, USERS, HISTORY_ENTRIES, catalogSize);

    const rates: Record<Served, number[]> = { actor: [], echo: [] };
    for (let repetition = 0; repetition < plan.repetitions; repetition += 1) {
      // Alternate, so drift (broker log growth, page cache) hits both alike; only one runs at a time.
      for (const service of ['actor', 'echo'] as Served[]) {
        const { child, perSec } = await saturation(ctx, service, spaces[service], plan.requests[service], `${service}-c${catalogSize}-rep${repetition}`);
        rates[service].push(perSec);
        await child.stop();
      }
    }
    const actorRate = median(rates.actor);
    const echoRate = median(rates.echo);
    rows.push({
      catalogSize,
      slateSize: SLATE_SIZE,
      decisionsPerSec: round(actorRate, 0),
      echoCeilingPerSec: round(echoRate, 0),
      ratio: round(actorRate / echoRate, 3),
      p50Ms: null,
      p99Ms: null,
      offeredLoad: 'saturation',
    });

    // Latency: a fresh actor (its group resumes after the requests served above), then a fresh echo.
    const actor = await ctx.start('actor', spaces.actor.env, `actor-c${catalogSize}-latency`);
    await actor.waitForLog((entry) => entry.msg === 'actor serving', 60_000, 'actor serving');
    const actorResults = new Map<number, LatencyResult>();
    for (const load of LOADS) actorResults.set(load, await latency(ctx, spaces.actor, load, plan, `actor-c${catalogSize}-${load}rps`));
    const samples = await actor.scrape();
    actorInternals.push({
      catalogSize,
      microBatchMean: round(sampleValue(samples, 'rec_actor_micro_batch_requests_sum') / Math.max(1, sampleValue(samples, 'rec_actor_micro_batch_requests_count')), 1),
      decisionLatencyP50Ms: round((histogramQuantile(samples, 'rec_actor_decision_latency_seconds', 0.5) ?? Number.NaN) * 1000, 1),
      decisionLatencyP99Ms: round((histogramQuantile(samples, 'rec_actor_decision_latency_seconds', 0.99) ?? Number.NaN) * 1000, 1),
    });
    await actor.stop();

    const echo = await ctx.start('echo', spaces.echo.env, `echo-c${catalogSize}-latency`);
    await echo.waitForLog((entry) => entry.msg === 'echo serving', 60_000, 'echo serving');
    for (const load of LOADS) {
      const echoResult = await latency(ctx, spaces.echo, load, plan, `echo-c${catalogSize}-${load}rps`);
      const actorResult = actorResults.get(load)!;
      echoLatency.push({ catalogSize, offeredLoad: load, decisionsPerSec: round(echoResult.decisionsPerSec, 0), p50Ms: round(echoResult.p50Ms, 1), p99Ms: round(echoResult.p99Ms, 1) });
      rows.push({
        catalogSize,
        slateSize: SLATE_SIZE,
        decisionsPerSec: round(actorResult.decisionsPerSec, 0),
        echoCeilingPerSec: round(echoResult.decisionsPerSec, 0),
        ratio: round(actorResult.decisionsPerSec / echoResult.decisionsPerSec, 3),
        p50Ms: round(actorResult.p50Ms, 1),
        p99Ms: round(actorResult.p99Ms, 1),
        offeredLoad: load,
      });
    }
    await echo.stop();
  }

  const saturationAt = (size: number) => rows.find((row) => row.catalogSize === size && row.offeredLoad === 'saturation');
  const at = (size: number, load: number) => rows.find((row) => row.catalogSize === size && row.offeredLoad === load);
  const targets = [
    atLeast('one actor, decisions/s at 10,000 items, slate 10', saturationAt(10_000)?.decisionsPerSec ?? null, 5_000),
    atLeast('one actor at 1,000 items: share of the echo ceiling', saturationAt(1_000)?.ratio ?? null, 0.5),
    atMost('p99 request-to-action ms at 1,000 req/s, 1,000 items', at(1_000, 1_000)?.p99Ms ?? null, 50, ' ms'),
    atMost('p99 request-to-action ms at 1,000 req/s, 10,000 items', at(10_000, 1_000)?.p99Ms ?? null, 50, ' ms'),
  ];
  printTable('actor: one actor process vs. the echo ceiling (same plumbing, no work)', rows as unknown as Record<string, unknown>[], [
    'catalogSize',
    'slateSize',
    'offeredLoad',
    'decisionsPerSec',
    'echoCeilingPerSec',
    'ratio',
    'p50Ms',
    'p99Ms',
  ]);
  printTable('echo ceiling latency at the same offered loads', echoLatency);
  printTable('actor internals (its own metrics)', actorInternals);
  printTargets(targets);
  const file = writeResults(ctx.options, 'actor', {
    benchmark: 'actor',
    ...runConditions(ctx.options, {
      method:
        'saturation: N requests queued before one child process starts; decisions/s from the broker timestamps of its actions after the first micro-batch; ' +
        'latency: open-loop offered load from an outside producer (request timestamp = send time) to an outside consumer of rec.actions.v1; ' +
        `p50/p99 per ${plan.windowMs / 1000} s window after ${plan.warmupMs / 1000} s warm-up, medians over ${plan.windows} window(s); saturation medians over ${plan.repetitions} repetition(s)`,
      plan,
      users: USERS,
      historyEntriesPerUser: HISTORY_ENTRIES,
      actorConfig: 'defaults (ACTOR_MAX_BATCH 256, MODEL_HIDDEN_SIZES 256,256,64, epsilon 0.3 -> 0.05)',
    }),
    rows,
    echoLatency,
    actorInternals,
    targets,
  });
  console.log(`\nwrote ${file}`);
}

runBench('actor', readBenchOptions(), main);
