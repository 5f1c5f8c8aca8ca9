/**
 * Memory of every service under a steady 1,000 requests per second.
 *
 *   node test/dist/bench/memory.js [--quick] [--profile]      -> <results>/memory.json
 *
 * All four services run as child processes with default settings; a small platform (this process)
 * offers 1,000 requests/s and answers every action with impressions of its top 3 items and a click on
 * 10% of them. RSS (VmRSS from /proc/<pid>/status) is sampled every few seconds; the figure at minute 5
 * and minute 10 (quick: 20 s and 40 s) is the median of the samples in the preceding 60 s (quick: 4 s);
 * growth = (late - early) / early. Replay bytes per transition: computed from the replay buffer's layout
 * (ReplayBuffer.bytesPerTransition) and measured as the slope of the learner's RSS against its replay
 * size while the replay fills.
 */
import { ReplayBuffer } from '@rec/learner/dist/replay-buffer';
import { readBenchOptions } from './bench-options';
import { runBench, type BenchContext } from './bench-context';
import { benchCatalog, publishCatalog } from './bench-catalog';
import { atMost, printTable, printTargets, runConditions, writeResults } from './bench-report';
import { median, round } from './bench-stats';
import { allOf, startAllServices } from './bench-services';
import { PlatformLoad } from './platform-load';
import { sampleValue } from './prometheus-text';
import { sleep } from '../harness';

const RATE = 1_000;
const USERS = 2_000;
const CATALOG_SIZE = 1_000;
const MiB = 1024 * 1024;

interface Plan {
  earlyMs: number;
  lateMs: number;
  smoothingMs: number;
  sampleEveryMs: number;
}

const FULL: Plan = { earlyMs: 5 * 60_000, lateMs: 10 * 60_000, smoothingMs: 60_000, sampleEveryMs: 5_000 };
const QUICK: Plan = { earlyMs: 20_000, lateMs: 40_000, smoothingMs: 4_000, sampleEveryMs: 1_000 };

interface RssSample {
  atMs: number;
  rss: Record<string, number | null>;
}

/** Least-squares slope of y on x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  const covariance = points.reduce((sum, point) => sum + (point.x - meanX) * (point.y - meanY), 0);
  const variance = points.reduce((sum, point) => sum + (point.x - meanX) ** 2, 0);
  return variance === 0 ? Number.NaN : covariance / variance;
}

async function redisUsedMemory(ctx: BenchContext): Promise<number> {
  const info = await ctx.redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

async function main(ctx: BenchContext): Promise<void> {
  const plan = ctx.options.quick ? QUICK : FULL;
  const { topics } = ctx.ns;
  await publishCatalog(ctx.producer, topics.catalog, benchCatalog(CATALOG_SIZE));
  console.log('starting parameter server, learner, joiner and actor (child processes, default settings)');
  const services = await startAllServices(ctx);
  const named = { 'parameter-server': services.parameterServer, learner: services.learner, joiner: services.joiner, actor: services.actor };
  const load = new PlatformLoad({ kafka: ctx.kafka, producer: ctx.producer, topics, ratePerSec: RATE, users: USERS, impressionsPerSlate: 3, clickProbability: 0.1 });
  ctx.onCleanup(() => load.stop());
  const replayCapacity = Number((await services.learner.waitForLog((entry) => entry.msg === 'learner running', 1_000, 'learner running')).replayCapacity);
  const learnerBaseline = services.learner.rssBytes() ?? Number.NaN;
  const redisBaseline = await redisUsedMemory(ctx);

  console.log(`load: ${RATE} requests/s from ${USERS} users, 3 impressions per action, a click on 10%, for ${plan.lateMs / 1000} s`);
  const startedAt = Date.now();
  await load.start(plan.lateMs);
  const samples: RssSample[] = [];
  const replayPoints: { x: number; y: number }[] = [];
  const redisSamples: { atMs: number; bytes: number }[] = [];
  let nextReport = startedAt;
  let replayFull = false;
  while (Date.now() - startedAt < plan.lateMs) {
    const atMs = Date.now() - startedAt;
    samples.push({ atMs, rss: Object.fromEntries(Object.entries(named).map(([name, child]) => [name, child.rssBytes()])) });
    if (!replayFull) {
      // While the replay fills, pair the learner's RSS with its replay size (sampled every second).
      const replaySize = await services.learner.metric('rec_learner_replay_size');
      const rss = services.learner.rssBytes();
      if (rss !== null && replaySize > 0) replayPoints.push({ x: replaySize, y: rss });
      replayFull = replaySize >= replayCapacity;
    }
    if (Date.now() >= nextReport) {
      redisSamples.push({ atMs, bytes: await redisUsedMemory(ctx) });
      const rss = samples.at(-1)!.rss;
      console.log(
        `  t=${Math.round(atMs / 1000)} s: ${load.requestsSent} requests, ${load.actionsReceived} actions; RSS MiB ` +
          Object.entries(rss).map(([name, bytes]) => `${name} ${bytes === null ? '-' : (bytes / MiB).toFixed(0)}`).join(', ') +
          `; redis ${(redisSamples.at(-1)!.bytes / MiB).toFixed(0)} MiB`,
      );
      nextReport += ctx.options.quick ? 10_000 : 60_000;
    }
    for (const child of allOf(services)) if (!child.running) throw new Error(`${child.spec.name} exited during the run (log: ${child.logPath})`);
    await sleep(replayFull ? plan.sampleEveryMs : Math.min(plan.sampleEveryMs, 1_000));
  }
  await load.finished;
  const learnerMetrics = await services.learner.scrape();
  const joinerMetrics = await services.joiner.scrape();
  redisSamples.push({ atMs: Date.now() - startedAt, bytes: await redisUsedMemory(ctx) });

  const around = (name: string, atMs: number) =>
    median(samples.filter((sample) => sample.atMs > atMs - plan.smoothingMs && sample.atMs <= atMs && sample.rss[name] !== null).map((sample) => sample.rss[name]!));
  const rows = Object.keys(named).map((service) => {
    const early = around(service, plan.earlyMs);
    const late = around(service, plan.lateMs);
    return { service, rssEarlyMiB: round(early / MiB, 1), rssLateMiB: round(late / MiB, 1), growthPct: round(((late - early) / early) * 100, 1) };
  });
  const measuredReplayBytes = slope(replayPoints);
  const replay = {
    computedBytesPerTransition: ReplayBuffer.bytesPerTransition(),
    measuredBytesPerTransition: round(measuredReplayBytes, 0),
    measuredFrom: `${replayPoints.length} (replay size, learner RSS) samples while the replay filled to ${replayCapacity}; includes the learner's dedup window (one id string per transition) filling alongside`,
    learnerRssBeforeLoadMiB: round(learnerBaseline / MiB, 1),
    replayCapacity,
    transitionsInserted: sampleValue(learnerMetrics, 'rec_learner_transitions_inserted_total'),
  };
  const redisRow = {
    redisBeforeMiB: round(redisBaseline / MiB, 1),
    redisEarlyMiB: round((redisSamples.filter((sample) => sample.atMs <= plan.earlyMs).at(-1)?.bytes ?? Number.NaN) / MiB, 1),
    redisLateMiB: round(redisSamples.at(-1)!.bytes / MiB, 1),
    joinerTransitions: sampleValue(joinerMetrics, 'rec_joiner_transitions_total'),
    requestsSent: load.requestsSent,
    actionsReceived: load.actionsReceived,
  };
  const early = ctx.options.quick ? `${plan.earlyMs / 1000} s` : 'minute 5';
  const late = ctx.options.quick ? `${plan.lateMs / 1000} s` : 'minute 10';
  const targets = rows.map((row) => atMost(`${row.service} RSS growth %, ${early} -> ${late}`, row.growthPct, 10, ' %'));
  printTable(`memory: RSS per service at ${RATE} requests/s (${early} and ${late})`, rows);
  printTable('replay bytes per transition', [{ computed: replay.computedBytesPerTransition, measured: replay.measuredBytesPerTransition, samples: replayPoints.length, inserted: replay.transitionsInserted }]);
  printTable('redis and load', [redisRow]);
  printTargets(targets);
  const file = writeResults(ctx.options, 'memory', {
    benchmark: 'memory',
    ...runConditions(ctx.options, {
      method:
        `VmRSS of each service's process sampled every ${plan.sampleEveryMs / 1000} s; figure at ${early} and ${late} = median of the samples in the preceding ${plan.smoothingMs / 1000} s; ` +
        `${RATE} requests/s steady from ${USERS} users, 3 impressions and 10% clicks per action; default service settings`,
      plan,
      ratePerSec: RATE,
      ...(ctx.options.quick ? { caveat: 'quick run: 20 s and 40 s stand in for minutes 5 and 10; replay and caches are still filling, so growth is not the steady-state figure' } : {}),
    }),
    rows,
    replay,
    redis: redisRow,
    rssSeries: samples.map((sample) => ({ atS: round(sample.atMs / 1000, 1), ...Object.fromEntries(Object.entries(sample.rss).map(([name, bytes]) => [name, bytes === null ? null : round(bytes / MiB, 1)])) })),
    targets,
  });
  console.log(`\nwrote ${file}`);
}

runBench('memory', readBenchOptions(), main);
