/**
 * A soak: every service under a steady 1,000 requests per second for 30 minutes, one line of figures per
 * minute, written to <results>/soak.json.
 *
 *   node test/dist/bench/soak.js [--quick]        (SOAK_MINUTES, default 30; quick: 2 minutes of 20 s; SOAK_RATE, default 1,000)
 *
 * All four services run as child processes with default settings; the platform of the benchmarks offers
 * the load and answers every action with impressions and some clicks. Per minute: each service's RSS,
 * Redis used_memory (the whole Redis: run it alone), the consumer lag each service reports
 * (rec_consumer_lag_messages, summed), the messages each service consumed per second in that minute
 * (rec_consumed_messages_total: whether it keeps up), and the error lines (pino level >= 50) each service
 * logged in that minute, and the joiner's sweep health (seconds since its last completed sweep, the age of its oldest due request, pending
 * requests, requests dropped and sweep failures so far), and where Redis memory sits per key family (a
 * sampled estimate, see redis-key-families.ts; printed as the growth per family after warm-up). "Flat after warm-up" is checked from the end of minute 5 to the last minute: RSS
 * growth (at most 10% per service), Redis memory growth (at most 10%; the whole Redis, so run it alone;
 * it grows until the request-state and dedup lifetimes have passed, so shorten those or run longer, and
 * move the warm-up past them with SOAK_WARMUP_MINUTES),
 * consumer lag growth summed over the services (at most 10 s of requests) and error lines (none expected).
 *
 * SOAK_LEARNER_NICE (default 0) lowers the learner's CPU priority (every thread of it, as `renice` would),
 * the way batch training is run beside request-path services on a shared host: on two cores a learner
 * training flat out otherwise takes the CPU the joiner needs to keep up, and the learner still gets every
 * cycle the others leave.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { readBenchOptions } from './bench-options';
import { runBench, type BenchContext } from './bench-context';
import { benchCatalog, publishCatalog } from './bench-catalog';
import { atMost, printTable, printTargets, runConditions, writeResults } from './bench-report';
import { round } from './bench-stats';
import { sampleValue } from './prometheus-text';
import { startAllServices } from './bench-services';
import type { ChildService } from './child-service';
import { PlatformLoad } from './platform-load';
import { redisKeyFamilies, type KeyFamily } from './redis-key-families';
import { sleep } from '../harness';

/** Requests per second (SOAK_RATE, default 1,000: the load). */
const RATE = Number(process.env.SOAK_RATE ?? 1_000);
const USERS = 2_000;
const CATALOG_SIZE = 1_000;
const MiB = 1024 * 1024;

/** Error lines (pino level 50 or 60) in a service's log so far. */
function errorLines(child: ChildService): number {
  try {
    return fs.readFileSync(child.logPath, 'utf8').split('\n').filter((line) => /"level":(50|60)/.test(line)).length;
  } catch {
    return 0;
  }
}

async function main(ctx: BenchContext): Promise<void> {
  const minuteMs = ctx.options.quick ? 20_000 : 60_000;
  const minutes = ctx.options.quick ? 2 : Number(process.env.SOAK_MINUTES ?? 30);
  // Redis holds request states and duplicate-dropping ids for their lifetimes (ACTOR_REQUEST_STATE_TTL_MS,
  // JOINER_DEDUP_TTL_MS: 15 and 60 minutes by default), so it grows until the longest one has passed; a soak
  // that should see it flat either runs longer than that or shortens them and sets SOAK_WARMUP_MINUTES past it.
  const warmupMinutes = Math.min(Number(process.env.SOAK_WARMUP_MINUTES ?? 5), Math.max(1, minutes - 1));
  await publishCatalog(ctx.producer, ctx.ns.topics.catalog, benchCatalog(CATALOG_SIZE));
  const services = await startAllServices(ctx);
  const learnerNice = Number(process.env.SOAK_LEARNER_NICE ?? 0);
  if (learnerNice !== 0) reniceProcess(services.learner.pid, learnerNice);
  const named: Record<string, ChildService> = { 'parameter-server': services.parameterServer, learner: services.learner, joiner: services.joiner, actor: services.actor };
  const load = new PlatformLoad({ kafka: ctx.kafka, producer: ctx.producer, topics: ctx.ns.topics, ratePerSec: RATE, users: USERS, impressionsPerSlate: 3, clickProbability: 0.1 });
  ctx.onCleanup(() => load.stop());
  const lifetimes = { ACTOR_REQUEST_STATE_TTL_MS: process.env.ACTOR_REQUEST_STATE_TTL_MS ?? 'default', JOINER_DEDUP_TTL_MS: process.env.JOINER_DEDUP_TTL_MS ?? 'default' };
  console.log(`soak: ${RATE} requests/s from ${USERS} users for ${minutes} "minutes" of ${minuteMs / 1000} s, warm-up ${warmupMinutes}, Redis lifetimes ${JSON.stringify(lifetimes)}, learner nice ${learnerNice}`);
  await load.start(minutes * minuteMs);
  const startedAt = Date.now();
  const rows: Record<string, number | null>[] = [];
  const redisFamilies: { minute: number; families: KeyFamily[] }[] = [];
  let errorsBefore = Object.fromEntries(Object.entries(named).map(([name, child]) => [name, errorLines(child)]));
  const consumed = async () => Object.fromEntries(await Promise.all(Object.entries(named).map(async ([name, child]) => [name, await child.metric('rec_consumed_messages_total').catch(() => Number.NaN)] as const)));
  let consumedBefore = await consumed();
  const cpuSeconds = () => Object.fromEntries(Object.entries(named).map(([name, child]) => [name, child.cpuSeconds() ?? Number.NaN]));
  let cpuBefore = cpuSeconds();
  let consumedAt = Date.now();
  for (let minute = 1; minute <= minutes; minute += 1) {
    await sleep(Math.max(0, startedAt + minute * minuteMs - Date.now()));
    for (const [name, child] of Object.entries(named)) if (!child.running) throw new Error(`${name} exited during the soak (log: ${child.logPath})`);
    const redisMemory = Number(/used_memory:(\d+)/.exec(await ctx.redis.info('memory'))?.[1] ?? Number.NaN);
    const lag: Record<string, number> = {};
    for (const [name, child] of Object.entries(named)) lag[name] = await child.metric('rec_consumer_lag_messages').catch(() => Number.NaN);
    const errorsNow = Object.fromEntries(Object.entries(named).map(([name, child]) => [name, errorLines(child)]));
    const consumedNow = await consumed();
    const cpuNow = cpuSeconds();
    const seconds = (Date.now() - consumedAt) / 1000;
    const row: Record<string, number | null> = { minute, requestsSent: load.requestsSent, actionsReceived: load.actionsReceived, redisMiB: round(redisMemory / MiB, 1) };
    for (const [name, child] of Object.entries(named)) {
      const rss = child.rssBytes();
      row[`${name}RssMiB`] = rss === null ? null : round(rss / MiB, 1);
      row[`${name}Lag`] = lag[name];
      row[`${name}ConsumedPerSec`] = round((consumedNow[name] - consumedBefore[name]) / seconds, 0);
      row[`${name}CpuPercent`] = round(((cpuNow[name] - cpuBefore[name]) / seconds) * 100, 0);
      row[`${name}Errors`] = errorsNow[name] - errorsBefore[name];
    }
    // Whether the joiner's sweeps kept emitting (a three-minute stall showed only as a learner with nothing to read).
    const joiner = await named.joiner.scrape().catch(() => null);
    const joinerMetric = (name: string) => (joiner === null ? Number.NaN : sampleValue(joiner, name));
    row.joinerSecondsSinceSweep = round(joinerMetric('rec_joiner_seconds_since_sweep'), 1);
    row.joinerOldestDueAgeSeconds = round(joinerMetric('rec_joiner_oldest_due_age_seconds'), 1);
    row.joinerPendingRequests = joinerMetric('rec_joiner_pending_requests');
    row.joinerRequestsDropped = joinerMetric('rec_joiner_requests_dropped_total');
    row.joinerSweepFailures = joinerMetric('rec_joiner_sweep_failures_total');
    redisFamilies.push({ minute, families: await redisKeyFamilies(ctx.redis, ctx.ns.redisKeyPrefix) });
    errorsBefore = errorsNow;
    consumedBefore = consumedNow;
    cpuBefore = cpuNow;
    consumedAt = Date.now();
    rows.push(row);
    console.log(`  minute ${minute}: ${JSON.stringify(row)}`);
  }
  await load.finished;
  const after = rows.filter((row) => Number(row.minute) > warmupMinutes);
  const at = (minute: number) => rows.find((row) => row.minute === minute);
  const targets = Object.keys(named).map((name) => {
    const early = Number(at(warmupMinutes)?.[`${name}RssMiB`]);
    const late = Number(rows.at(-1)?.[`${name}RssMiB`]);
    return atMost(`${name} RSS growth %, minute ${warmupMinutes} -> ${minutes}`, Number.isFinite(early) && Number.isFinite(late) ? round(((late - early) / early) * 100, 1) : null, 10, ' %');
  });
  const growth = (column: (row: Record<string, number | null> | undefined) => number) => {
    const early = column(at(warmupMinutes));
    const late = column(rows.at(-1));
    return Number.isFinite(early) && Number.isFinite(late) ? { early, late } : null;
  };
  const redisGrowth = growth((row) => Number(row?.redisMiB));
  targets.push(atMost(`Redis memory growth %, minute ${warmupMinutes} -> ${minutes}`, redisGrowth === null ? null : round(((redisGrowth.late - redisGrowth.early) / redisGrowth.early) * 100, 1), 10, ' %'));
  const lagGrowth = growth((row) => Object.keys(named).reduce((sum, name) => sum + Number(row?.[`${name}Lag`]), 0));
  targets.push(atMost(`consumer lag growth (messages), minute ${warmupMinutes} -> ${minutes}, all services`, lagGrowth === null ? null : lagGrowth.late - lagGrowth.early, RATE * 10));
  targets.push(atMost('error lines after warm-up, all services', after.reduce((sum, row) => sum + Object.keys(named).reduce((inner, name) => inner + Number(row[`${name}Errors`]), 0), 0), 0));
  printTable('soak: per minute', rows);
  const familyGrowth = familyGrowthAfter(redisFamilies, warmupMinutes);
  printTable(`soak: Redis memory per key family, minute ${warmupMinutes} -> ${minutes} (sampled estimate)`, familyGrowth);
  printTargets(targets);
  const file = writeResults(ctx.options, 'soak', {
    benchmark: 'soak',
    ...runConditions(ctx.options, { ratePerSec: RATE, users: USERS, minutes, minuteSeconds: minuteMs / 1000, warmupMinutes, redisLifetimes: lifetimes, learnerNice, method: 'per minute: VmRSS, Redis used_memory, rec_consumer_lag_messages (summed per service), rec_consumed_messages_total per second over that minute, CPU percent of one core over that minute (/proc utime + stime), error log lines logged in that minute' }),
    rows,
    redisFamilyGrowth: familyGrowth,
    redisFamilies,
    targets,
  });
  console.log(`\nwrote ${file}`);
}

/** Sets the nice value of every thread of a process (Linux: setpriority applies to one thread, the pid's main thread). */
function reniceProcess(pid: number, nice: number): void {
  for (const thread of fs.readdirSync(`/proc/${pid}/task`)) os.setPriority(Number(thread), nice);
}

/** Per key family, its estimated keys and MiB at the end of warm-up and at the last minute. */
function familyGrowthAfter(byMinute: { minute: number; families: KeyFamily[] }[], warmupMinutes: number): { family: string; keysBefore: number; keysAfter: number; mibBefore: number; mibAfter: number; mibGrowth: number }[] {
  const early = byMinute.find(({ minute }) => minute === warmupMinutes)?.families ?? [];
  const late = byMinute.at(-1)?.families ?? [];
  const names = [...new Set([...early, ...late].map(({ family }) => family))];
  const find = (families: KeyFamily[], name: string) => families.find(({ family }) => family === name) ?? { keys: 0, mib: 0 };
  return names
    .map((family) => {
      const [from, to] = [find(early, family), find(late, family)];
      return { family, keysBefore: from.keys, keysAfter: to.keys, mibBefore: from.mib, mibAfter: to.mib, mibGrowth: Math.round((to.mib - from.mib) * 10) / 10 };
    })
    .sort((a, b) => b.mibGrowth - a.mibGrowth);
}

runBench('soak', readBenchOptions(), main);
