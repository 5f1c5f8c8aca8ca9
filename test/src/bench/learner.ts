/**
 * Learner training throughput against its ceiling.
 *
 *   node test/dist/bench/learner.js [--quick] [--profile]      -> <results>/learner.json
 *
 * A parameter server and one learner run as child processes (default model 256,256,64, batch 256, a
 * 1,000-item catalog, LEARNER_MAX_SAMPLES_PER_INSERT=0 so the learner never waits for the stream), replay
 * pre-filled by producing transitions to rec.transitions.v1. samplesPerSec = the growth of the learner's
 * rec_learner_samples_total over windows (median). The ceiling: the same training step (doubleDqnGradients
 * plus AdamParameterOptimizer.apply, same model, batch and backend) in a bare loop in this process, no
 * Kafka; and the same bare loop on the pure-JS CPU backend in a child process, for comparison.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBenchOptions, REPO_ROOT } from './bench-options';
import { runBench, type BenchContext } from './bench-context';
import { benchCatalog, publishCatalog } from './bench-catalog';
import { atLeast, printTable, printTargets, runConditions, writeResults } from './bench-report';
import { median, round } from './bench-stats';
import { BARE_LOOP_MARKER, runBareTrainingLoop, type BareLoopResult } from './bare-training-loop';
import { produceTransitions } from './bench-transitions';
import { summariseProfile } from './cpu-profile-summary';
import { sampleValue } from './prometheus-text';
import { sleep, waitFor } from '../harness';

const CATALOG_SIZE = 1_000;
const BATCH_SIZE = 256;

interface Plan {
  transitions: number;
  warmupMs: number;
  windowMs: number;
  windows: number;
  cpuWindowMs: number;
  cpuWindows: number;
}

const FULL: Plan = { transitions: 20_000, warmupMs: 5_000, windowMs: 10_000, windows: 5, cpuWindowMs: 10_000, cpuWindows: 2 };
const QUICK: Plan = { transitions: 3_000, warmupMs: 1_000, windowMs: 2_500, windows: 2, cpuWindowMs: 2_500, cpuWindows: 1 };

/** The bare loop in a child process (another backend needs another process: tfjs has one backend at a time). */
function bareLoopInChild(backend: string, plan: Plan): Promise<BareLoopResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(__dirname, 'bare-training-loop.js'), `--backend=${backend}`, `--batch=${BATCH_SIZE}`, `--catalog=${CATALOG_SIZE}`, `--window-ms=${plan.cpuWindowMs}`, `--windows=${plan.cpuWindows}`],
      { cwd: REPO_ROOT, env: { ...process.env, TENSOR_BACKEND: backend }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000 + plan.cpuWindowMs * plan.cpuWindows * 3);
    process.once('exit', () => child.kill('SIGKILL'));
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = output.split('\n').find((text) => text.startsWith(BARE_LOOP_MARKER));
      if (line === undefined) reject(new Error(`bare loop on ${backend} exited ${code}: ${output.slice(-1_000)}`));
      else resolve(JSON.parse(line.slice(BARE_LOOP_MARKER.length)) as BareLoopResult);
    });
  });
}

async function main(ctx: BenchContext): Promise<void> {
  const plan = ctx.options.quick ? QUICK : FULL;
  const { topics } = ctx.ns;
  const catalog = benchCatalog(CATALOG_SIZE);
  await publishCatalog(ctx.producer, topics.catalog, catalog);

  console.log('starting the parameter server and the learner (child processes)');
  const server = await ctx.start('parameter-server');
  await server.waitForLog((entry) => entry.msg === 'parameter server running', 60_000, 'parameter server running');
  await produceTransitions(ctx.producer, topics.transitions, catalog, plan.transitions, 'pre');
  const learner = await ctx.start('learner', { LEARNER_MAX_SAMPLES_PER_INSERT: '0', LEARNER_BATCH_SIZE: String(BATCH_SIZE) });
  await waitFor(async () => (await learner.metric('rec_learner_train_steps_total')) > 0, { what: 'the learner training', timeoutMs: 120_000, intervalMs: 250 });
  await sleep(plan.warmupMs);

  const windows: number[] = [];
  const stepSeconds: number[] = [];
  const learnerCores: number[] = [];
  const serverCores: number[] = [];
  for (let window = 0; window < plan.windows; window += 1) {
    const before = await learner.scrape();
    const cpuBefore = [learner.cpuSeconds() ?? Number.NaN, server.cpuSeconds() ?? Number.NaN];
    const startedAt = performance.now();
    await sleep(plan.windowMs);
    const after = await learner.scrape();
    const seconds = (performance.now() - startedAt) / 1000;
    learnerCores.push(((learner.cpuSeconds() ?? Number.NaN) - cpuBefore[0]) / seconds);
    serverCores.push(((server.cpuSeconds() ?? Number.NaN) - cpuBefore[1]) / seconds);
    const samples = sampleValue(after, 'rec_learner_samples_total') - sampleValue(before, 'rec_learner_samples_total');
    const steps = sampleValue(after, 'rec_learner_train_step_seconds_count') - sampleValue(before, 'rec_learner_train_step_seconds_count');
    const stepTime = sampleValue(after, 'rec_learner_train_step_seconds_sum') - sampleValue(before, 'rec_learner_train_step_seconds_sum');
    windows.push(samples / seconds);
    stepSeconds.push(steps > 0 ? stepTime / steps : Number.NaN);
    console.log(`  learner window ${window + 1}: ${Math.round(samples / seconds)} samples/s, train step ${((stepTime / Math.max(1, steps)) * 1000).toFixed(1)} ms`);
  }
  const serverSamples = await server.scrape();
  const learnerSamples = await learner.scrape();
  const backend = learnerSamples.find((sample) => sample.name === 'rec_tensor_backend_info')?.labels.backend ?? 'unknown';
  const serviceInternals = {
    replaySize: sampleValue(learnerSamples, 'rec_learner_replay_size'),
    learnerCpuCores: round(median(learnerCores), 2),
    parameterServerCpuCores: round(median(serverCores), 2),
    trainStepMsMedianOfWindows: round(median(stepSeconds) * 1000, 1),
    updatesApplied: sampleValue(serverSamples, 'rec_parameter_server_updates_applied_total'),
    updatesDropped: sampleValue(serverSamples, 'rec_parameter_server_updates_dropped_total'),
    weightsPublished: sampleValue(serverSamples, 'rec_parameter_server_weights_published_total'),
    snapshotMsMean: round((sampleValue(serverSamples, 'rec_parameter_server_snapshot_seconds_sum') / Math.max(1, sampleValue(serverSamples, 'rec_parameter_server_snapshot_seconds_count'))) * 1000, 1),
  };
  await learner.stop();
  await server.stop();

  console.log(`bare loop (${backend}) in this process, then on the CPU backend in a child process`);
  const bare = await runBareTrainingLoop({ backend, batchSize: BATCH_SIZE, catalogSize: CATALOG_SIZE, windowMs: plan.windowMs, windows: plan.windows });
  console.log(`  bare ${bare.backend}: ${Math.round(bare.samplesPerSec)} samples/s (step + Adam ${bare.stepMs.toFixed(1)} ms)`);
  const cpu = await bareLoopInChild('cpu', plan);
  console.log(`  bare cpu: ${Math.round(cpu.samplesPerSec)} samples/s (step + Adam ${cpu.stepMs.toFixed(1)} ms)`);

  const samplesPerSec = median(windows);
  const row = {
    backend,
    batchSize: BATCH_SIZE,
    samplesPerSec: round(samplesPerSec, 0),
    bareLoopSamplesPerSec: round(bare.samplesPerSec, 0),
    ratio: round(samplesPerSec / bare.samplesPerSec, 3),
    cpuBackendSamplesPerSec: round(cpu.samplesPerSec, 0),
  };
  const targets = [atLeast('learner samples/s as a share of its bare-loop ceiling', row.ratio, 0.8)];
  printTable('learner: service vs. bare training loop (same model, batch, backend)', [row]);
  printTable('learner internals', [{ ...serviceInternals, bareStepMs: round(bare.stepMs, 1), cpuStepMs: round(cpu.stepMs, 1) }]);

  let profile: Record<string, unknown>[] | undefined;
  if (ctx.options.profile) {
    const dir = path.join(ctx.options.resultsDir, 'profiles', ctx.ns.id);
    const file = fs.readdirSync(dir).find((name) => name.startsWith('learner-'));
    if (file !== undefined) {
      const summary = summariseProfile(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
      profile = summary.functions.slice(0, 20).map((entry) => ({ ...entry }));
      printTable(`learner profile (${path.join(dir, file)}), by self time`, profile, ['selfPct', 'totalPct', 'function']);
    }
  } else if ((row.ratio ?? 0) < 0.8) {
    console.log('\nthe learner is under 80% of its ceiling: run with --profile to see where its time goes');
  }
  printTargets(targets);
  const file = writeResults(ctx.options, 'learner', {
    benchmark: 'learner',
    ...runConditions(ctx.options, {
      method:
        `samplesPerSec: growth of rec_learner_samples_total over ${plan.windows} window(s) of ${plan.windowMs / 1000} s (median), after training started + ${plan.warmupMs / 1000} s; ` +
        'one learner and one parameter server as child processes, LEARNER_MAX_SAMPLES_PER_INSERT=0, replay pre-filled with ' +
        `${plan.transitions} transitions; ceiling: doubleDqnGradients + AdamParameterOptimizer.apply on random batches in-process, no Kafka`,
      plan,
      catalogSize: CATALOG_SIZE,
      model: 'MODEL_HIDDEN_SIZES 256,256,64 (default)',
    }),
    rows: [row],
    serviceInternals,
    bareLoop: bare,
    cpuBareLoop: cpu,
    ...(profile === undefined ? {} : { profile }),
    targets,
  });
  console.log(`\nwrote ${file}`);
}

runBench('learner', readBenchOptions(), main);
