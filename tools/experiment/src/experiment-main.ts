/**
 * One in-process experiment from the command line (tuning, debugging, and each run of `npm run evaluate`):
 *
 *   node tools/experiment/dist/experiment-main.js --policy ddqn --seed 1 --requests 30000 [--out file.json] [KEY=VALUE ...]
 *
 * KEY=VALUE pairs are service settings (SIM_WORLD=..., LEARNER_GAMMA=0, ...). Writes the run's brief
 * (RunBrief) as JSON to --out, or prints it.
 */
import { writeFile } from 'node:fs/promises';
import { initTensorBackend } from '@rec/shared/model';
import { briefOf } from './run-brief';
import { EXPERIMENT_POLICIES, runExperiment, type ExperimentPolicy } from './run-experiment';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const policy = (option('policy') ?? 'ddqn') as ExperimentPolicy;
  if (!EXPERIMENT_POLICIES.includes(policy)) throw new Error(`--policy must be one of ${EXPERIMENT_POLICIES.join(', ')}`);
  const env = Object.fromEntries(args.filter((arg) => /^[A-Z][A-Z0-9_]*=/.test(arg)).map((arg) => [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]));
  const samplesPerSecond = option('samples-per-second');
  await initTensorBackend();
  const result = await runExperiment({
    policy,
    seed: Number(option('seed') ?? 1),
    requests: Number(option('requests') ?? 20_000),
    env,
    ...(samplesPerSecond === undefined ? {} : { learnerSamplesPerSecond: Number(samplesPerSecond) }),
    learnerReadsLiveWeights: args.includes('--live-weights'),
    ...(option('broadcast-delay-ms') === undefined ? {} : { broadcastDelayMs: Number(option('broadcast-delay-ms')) }),
  });
  const brief = JSON.stringify(briefOf(result));
  const out = option('out');
  if (out === undefined) process.stdout.write(`${brief}\n`);
  else await writeFile(out, `${brief}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`experiment failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
