/**
 * Freshness under load: from a feedback event being published to an actor serving a model version that
 * trained on it.
 *
 *   node test/dist/bench/freshness.js [--quick] [--profile]      -> <results>/freshness.json
 *
 * All four services run as child processes with their default settings; a small platform (this
 * process) sends requests at a steady rate, answers every action with impressions and some clicks at
 * once, and each user's next request comes on the next round (users / rate seconds later). "Trained on"
 * is approximated through the timestamps the pipeline carries: transitions carry lastFeedbackTimestamp,
 * a gradient update the newest of its batch, the parameter server's weights the newest over every
 * update applied (newestSampleTimestamp). A version V counts as trained on a feedback event with
 * timestamp t when newestSampleTimestamp(V) >= t: its training reached data that recent (not that this
 * very transition was sampled). Freshness of the event = the first receipt, by the platform, of an action
 * with modelVersion >= the first such V, minus the event's send time (its timestamp).
 */
import { decodePublishedWeights, type PublishedWeights } from '../harness';
import { readBenchOptions } from './bench-options';
import { runBench, type BenchContext } from './bench-context';
import { benchCatalog, publishCatalog } from './bench-catalog';
import { atMost, printTable, printTargets, runConditions, writeResults } from './bench-report';
import { percentile, round } from './bench-stats';
import { startAllServices } from './bench-services';
import { PlatformLoad } from './platform-load';
import { TopicFollower } from './topic-follower';
import { sleep } from '../harness';

const RATE = 200;
const USERS = 400;
const CATALOG_SIZE = 1_000;

interface Plan {
  /** Seconds of load. */
  durationMs: number;
  /** Events sent in [from, to) after the load starts are measured; the rest is warm-up and tail. */
  fromMs: number;
  toMs: number;
}

const FULL: Plan = { durationMs: 150_000, fromMs: 30_000, toMs: 110_000 };
const QUICK: Plan = { durationMs: 30_000, fromMs: 8_000, toMs: 16_000 };

async function main(ctx: BenchContext): Promise<void> {
  const plan = ctx.options.quick ? QUICK : FULL;
  const { topics } = ctx.ns;
  await publishCatalog(ctx.producer, topics.catalog, benchCatalog(CATALOG_SIZE));

  // Versions as the parameter server publishes them (ONLINE): when, and how recent their training data is.
  const versions: { version: number; newestSampleTimestamp: number; publishedAt: number }[] = [];
  const weights = new TopicFollower<PublishedWeights>(
    ctx.kafka,
    topics.modelWeights,
    // Full records and deltas (PS_WEIGHTS_FULL_EVERY) alike carry the version and its freshness.
    { decode: (bytes, key) => decodePublishedWeights(key, bytes, 'ddqn', 'ONLINE') },
    (record) => {
      if (record.role === 'ONLINE' && record.newestSampleTimestamp !== null) versions.push({ version: record.version, newestSampleTimestamp: record.newestSampleTimestamp, publishedAt: record.publishedAt });
    },
    true,
  );
  await weights.start();
  ctx.onCleanup(() => weights.stop());

  console.log('starting parameter server, learner, joiner and actor (child processes, default settings)');
  const services = await startAllServices(ctx);
  const joinerStarted = await services.joiner.waitForLog((entry) => entry.msg === 'joiner running', 1_000, 'joiner running');
  const load = new PlatformLoad({ kafka: ctx.kafka, producer: ctx.producer, topics, ratePerSec: RATE, users: USERS, impressionsPerSlate: 10, clickProbability: 0.3 });
  ctx.onCleanup(() => load.stop());
  console.log(`load: ${RATE} requests/s from ${USERS} users (next request every ${USERS / RATE} s), 10 impressions per action, a click on 30% of them, for ${plan.durationMs / 1000} s`);
  const startedAt = Date.now();
  await load.start(plan.durationMs);
  const progress = setInterval(() => {
    const latest = versions.at(-1);
    console.log(`  t=${Math.round((Date.now() - startedAt) / 1000)} s: ${load.requestsSent} requests, ${load.actionsReceived} actions, ${load.feedbackSentAt.length} feedback, version ${latest?.version ?? 0} (data ${latest === undefined ? '-' : `${((latest.publishedAt - latest.newestSampleTimestamp) / 1000).toFixed(1)} s old at publish`})`);
  }, ctx.options.quick ? 5_000 : 15_000);
  ctx.onCleanup(() => clearInterval(progress));
  await load.finished;
  await sleep(1_000);
  clearInterval(progress);
  const learnerSamples = await services.learner.scrape();

  // For each event in the window: the first version whose data reaches it, then the first action serving it.
  versions.sort((a, b) => a.version - b.version);
  const seen = [...load.versionFirstSeen.entries()].sort((a, b) => a[0] - b[0]);
  const freshness: number[] = [];
  let unresolved = 0;
  let versionPointer = 0;
  let newestSoFar = 0;
  const events = load.feedbackSentAt.filter((sent) => sent >= startedAt + plan.fromMs && sent < startedAt + plan.toMs).sort((a, b) => a - b);
  // Versions in order with their running maximum of newestSampleTimestamp (a version covers what any earlier one did).
  const covering = versions.map((entry) => ({ version: entry.version, newest: (newestSoFar = Math.max(newestSoFar, entry.newestSampleTimestamp)) }));
  let seenPointer = 0;
  for (const sent of events) {
    while (versionPointer < covering.length && covering[versionPointer].newest < sent) versionPointer += 1;
    if (versionPointer === covering.length) {
      unresolved += 1;
      continue;
    }
    // Events are in time order, so the wanted version only grows: both pointers only move forward.
    const wanted = covering[versionPointer].version;
    while (seenPointer < seen.length && seen[seenPointer][0] < wanted) seenPointer += 1;
    if (seenPointer === seen.length) unresolved += 1;
    else freshness.push(seen[seenPointer][1] - sent);
  }
  const row = { p50Ms: round(percentile(freshness, 50), 0), p99Ms: round(percentile(freshness, 99), 0), joinWaitMs: Number(joinerStarted.joinWaitMs) };
  const context = {
    eventsMeasured: events.length,
    unresolved,
    versionsPublished: versions.length,
    requestsSent: load.requestsSent,
    actionsReceived: load.actionsReceived,
    learnerSamplesPerInsert: round(learnerSamples.find((sample) => sample.name === 'rec_learner_samples_per_insert')?.value ?? null, 2),
    rewardWaitMs: Number(joinerStarted.rewardWaitMs),
    sessionTimeoutMs: Number(joinerStarted.sessionTimeoutMs),
  };
  const targets = [atMost('freshness p50, feedback published -> served by a version trained on it', row.p50Ms, 10_000, ' ms')];
  printTable('freshness: feedback event -> an action from a model version trained on it', [row]);
  printTable('context', [context]);
  printTargets(targets);
  const file = writeResults(ctx.options, 'freshness', {
    benchmark: 'freshness',
    ...runConditions(ctx.options, {
      method:
        'all four services as child processes with default settings; this process offers requests at a steady rate, answers each action with impressions and clicks at once; ' +
        'a version is taken to have trained on a feedback event when its newestSampleTimestamp >= the event timestamp (approximation: its training data reached that time, the very transition need not have been sampled); ' +
        `freshness = first action with modelVersion >= that version seen by the platform, minus the event's send time; events sent from ${plan.fromMs / 1000} s to ${plan.toMs / 1000} s of ${plan.durationMs / 1000} s of load`,
      plan,
      ratePerSec: RATE,
      users: USERS,
      nextRequestAfterMs: (USERS / RATE) * 1000,
      joinerConfig: { joinWaitMs: row.joinWaitMs, rewardWaitMs: context.rewardWaitMs, sessionTimeoutMs: context.sessionTimeoutMs, note: 'defaults' },
    }),
    rows: [row],
    context,
    targets,
  });
  console.log(`\nwrote ${file}`);
}

runBench('freshness', readBenchOptions(), main);
