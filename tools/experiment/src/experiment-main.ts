/**
 * One in-process experiment from the command line (tuning, debugging, and each run of `npm run evaluate`):
 *
 *   node tools/experiment/dist/experiment-main.js --policy ddqn --seed 1 --requests 30000 [--out file.json] [KEY=VALUE ...]
 *
 * KEY=VALUE pairs are service settings (SIM_WORLD=..., LEARNER_GAMMA=0, ...). Writes the run's brief
 * (RunBrief) as JSON to --out, or prints it.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { initTensorBackend } from '@rec/shared/model';
import { briefOf } from './run-brief';
import { EXPERIMENT_POLICIES, runExperiment, type ExperimentPolicy } from './run-experiment';
import { isUsageError, usageError } from '@rec/shared';
import { parseSettings } from './settings-arguments';

const USAGE = `usage: experiment-main.js [--policy ${EXPERIMENT_POLICIES.join('|')}] [--seed 1] [--requests 20000] [--out file.json]
         [--samples-per-second n] [--live-weights] [--broadcast-delay-ms n] [--requests-per-second n] [KEY=VALUE ...]`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      policy: { type: 'string', default: 'ddqn' },
      seed: { type: 'string', default: '1' },
      requests: { type: 'string', default: '20000' },
      out: { type: 'string' },
      'samples-per-second': { type: 'string' },
      'live-weights': { type: 'boolean', default: false },
      'broadcast-delay-ms': { type: 'string' },
      'requests-per-second': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const policy = values.policy as ExperimentPolicy;
  if (!EXPERIMENT_POLICIES.includes(policy)) throw usageError(`--policy must be one of ${EXPERIMENT_POLICIES.join(', ')}`);
  const number = (name: string, value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw usageError(`--${name} must be a non-negative number, got ${value}`);
    return parsed;
  };
  const env = parseSettings(positionals);
  const samplesPerSecond = values['samples-per-second'];
  const broadcastDelayMs = values['broadcast-delay-ms'];
  const requestsPerSecond = values['requests-per-second'];
  await initTensorBackend();
  const result = await runExperiment({
    policy,
    seed: number('seed', values.seed),
    requests: number('requests', values.requests),
    env,
    ...(samplesPerSecond === undefined ? {} : { learnerSamplesPerSecond: number('samples-per-second', samplesPerSecond) }),
    learnerReadsLiveWeights: values['live-weights'],
    ...(broadcastDelayMs === undefined ? {} : { broadcastDelayMs: number('broadcast-delay-ms', broadcastDelayMs) }),
    ...(requestsPerSecond === undefined ? {} : { requestsPerSecond: number('requests-per-second', requestsPerSecond) }),
  });
  const brief = JSON.stringify(briefOf(result));
  const out = values.out;
  if (out === undefined) process.stdout.write(`${brief}\n`);
  else await writeFile(out, `${brief}\n`);
}

main().catch((error: unknown) => {
  // A mistaken command line gets its message and the usage; anything else its stack.
  if (isUsageError(error)) process.stderr.write(`experiment: ${error.message}\n${USAGE}\n`);
  else process.stderr.write(`experiment failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
