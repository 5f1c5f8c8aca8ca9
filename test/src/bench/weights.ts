/**
 * Weights publication and broadcast for the default model (256,256,64).
 *
 *   node test/dist/bench/weights.js [--quick] [--profile]      -> <results>/weights.json
 *
 * publishMs: building, encoding and producing one full weights record until the broker acknowledges it
 * (the parameter server's publish path: buildWeightsRecord + the ModelWeights codec + BatchingProducer,
 * acks all), repeated in this process on a topic of its own before the services start; median.
 * Broadcast lag: a parameter server, a learner (training on pre-filled replay, so versions flow) and an
 * actor run as child processes; an outside subscriber of model.weights.v1 takes receive time minus the
 * record's publishedAt (p50/p99 over every record it sees). The actor's and learner's own
 * rec_weights_broadcast_lag_seconds histograms of each service (publish to adoption, bucket-interpolated) are
 * reported beside it.
 */
import { buildWeightsRecord, codecs, readModelShapeConfig, weightsKey } from '@rec/shared';
import { QNetwork, initTensorBackend } from '@rec/shared/model';
import { readBenchOptions } from './bench-options';
import { runBench, type BenchContext } from './bench-context';
import { benchCatalog, publishCatalog } from './bench-catalog';
import { openSpace } from './bench-kafka';
import { printTable, runConditions, writeResults } from './bench-report';
import { median, percentile, round } from './bench-stats';
import { produceTransitions } from './bench-transitions';
import type { ChildService } from './child-service';
import { histogramQuantile, sampleValue } from './prometheus-text';
import { TopicFollower } from './topic-follower';
import { decodePublishedWeights, sleep, waitFor, type PublishedWeights } from '../harness';

interface Plan {
  publishes: number;
  broadcastMs: number;
  transitions: number;
}

const FULL: Plan = { publishes: 40, broadcastMs: 60_000, transitions: 10_000 };
const QUICK: Plan = { publishes: 8, broadcastMs: 8_000, transitions: 2_000 };

/** The publish path of the parameter server, timed in this process: median ms and the record size. */
async function measurePublish(ctx: BenchContext, count: number): Promise<{ publishMs: number; payloadBytes: number; parameters: number; samplesMs: number[] }> {
  await initTensorBackend();
  const space = await openSpace(ctx.kafka, ctx.ns, 'probe');
  const network = new QNetwork(readModelShapeConfig({}), 'bench-weights');
  const times: number[] = [];
  let payloadBytes = 0;
  for (let version = 1; version <= count + 2; version += 1) {
    const started = performance.now();
    const record = buildWeightsRecord({ modelId: 'ddqn', role: 'ONLINE', version, layoutHash: network.layoutHash, values: network.getWeights(), newestSampleTimestamp: null });
    const value = codecs.modelWeights.encode(record);
    await ctx.producer.send(space.topics.modelWeights, { key: weightsKey('ddqn', 'ONLINE'), value });
    // The first two warm the connection and the code paths.
    if (version > 2) times.push(performance.now() - started);
    payloadBytes = value.length;
    await sleep(50);
  }
  const parameters = network.size;
  network.dispose();
  return { publishMs: median(times), payloadBytes, parameters, samplesMs: times };
}

function adoptionLag(samples: Awaited<ReturnType<ChildService['scrape']>>, service: string) {
  const name = 'rec_weights_broadcast_lag_seconds';
  const ms = (quantile: number) => round((histogramQuantile(samples, name, quantile) ?? Number.NaN) * 1000, 1);
  return { service, adopted: sampleValue(samples, `${name}_count`), p50Ms: ms(0.5), p99Ms: ms(0.99) };
}

async function main(ctx: BenchContext): Promise<void> {
  const plan = ctx.options.quick ? QUICK : FULL;
  const { topics } = ctx.ns;
  console.log(`publish path in this process, ${plan.publishes} records`);
  const publish = await measurePublish(ctx, plan.publishes);
  console.log(`  ${publish.payloadBytes} bytes (${publish.parameters} parameters), publish median ${publish.publishMs.toFixed(1)} ms`);

  const catalog = benchCatalog(1_000);
  await publishCatalog(ctx.producer, topics.catalog, catalog);
  const lags: number[] = [];
  const sizes: number[] = [];
  // Full records and deltas (PS_WEIGHTS_FULL_EVERY), of both roles.
  const weightsRecords = { decode: (bytes: Buffer | null, key: string | null) => decodePublishedWeights(key, bytes, 'ddqn', 'ONLINE') ?? decodePublishedWeights(key, bytes, 'ddqn', 'TARGET') };
  const follower = new TopicFollower<PublishedWeights>(ctx.kafka, topics.modelWeights, weightsRecords, (record, receivedAt, _timestamp, bytes) => {
    lags.push(receivedAt - record.publishedAt);
    sizes.push(bytes);
  });
  await follower.start();
  ctx.onCleanup(() => follower.stop());

  console.log('parameter server, learner and actor as child processes');
  const server = await ctx.start('parameter-server');
  await server.waitForLog((entry) => entry.msg === 'parameter server running', 60_000, 'parameter server running');
  const actor = await ctx.start('actor');
  await actor.waitForLog((entry) => entry.msg === 'actor serving', 60_000, 'actor serving');
  await produceTransitions(ctx.producer, topics.transitions, catalog, plan.transitions, 'w');
  const learner = await ctx.start('learner', { LEARNER_MAX_SAMPLES_PER_INSERT: '0' });
  await waitFor(async () => (await server.metric('rec_parameter_server_updates_applied_total')) > 0, { what: 'the first applied update', timeoutMs: 120_000, intervalMs: 250 });
  const lagsBefore = lags.length;
  await sleep(plan.broadcastMs);
  const observed = lags.slice(lagsBefore);
  const serverSamples = await server.scrape();
  const adoption = [adoptionLag(await actor.scrape(), 'actor'), adoptionLag(await learner.scrape(), 'learner')];
  await learner.stop();
  await actor.stop();
  await server.stop();

  const serverPublishMsMean = round((sampleValue(serverSamples, 'rec_parameter_server_weights_publish_seconds_sum') / Math.max(1, sampleValue(serverSamples, 'rec_parameter_server_weights_publish_seconds_count'))) * 1000, 1);
  const row = {
    payloadBytes: publish.payloadBytes,
    publishMs: round(publish.publishMs, 1),
    broadcastLagP50Ms: round(percentile(observed, 50), 1),
    broadcastLagP99Ms: round(percentile(observed, 99), 1),
  };
  printTable('weights: default model (256,256,64), full ONLINE record', [row]);
  printTable('beside it', [
    {
      recordsObserved: observed.length,
      serverPublishMsMean,
      weightsPublished: sampleValue(serverSamples, 'rec_parameter_server_weights_published_total'),
      updatesApplied: sampleValue(serverSamples, 'rec_parameter_server_updates_applied_total'),
    },
  ]);
  printTable('publish -> adoption, from the services\' histograms (bucket-interpolated)', adoption);
  const file = writeResults(ctx.options, 'weights', {
    benchmark: 'weights',
    ...runConditions(ctx.options, {
      method:
        `publishMs: buildWeightsRecord + ModelWeights encode + BatchingProducer send until acked (acks all), median of ${plan.publishes} in this process; ` +
        `broadcast lag: receive time at an outside subscriber of model.weights.v1 minus publishedAt, over ${plan.broadcastMs / 1000} s of a live parameter server + learner + actor`,
      plan,
      parameters: publish.parameters,
    }),
    rows: [row],
    recordsObserved: observed.length,
    serverPublishMsMean,
    adoption,
    targets: [],
  });
  console.log(`\nwrote ${file}`);
}

runBench('weights', readBenchOptions(), main);
