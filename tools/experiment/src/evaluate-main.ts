/**
 * `npm run evaluate`: every policy on every world on held-out seeds, in process (the services' own code at
 * simulated time, see run-experiment.ts) or with --kafka through the real services and broker (each run is
 * `infra/bin/demo` for one policy, one at a time), with 95% intervals over seeds. Writes
 * reports/evaluate-<time>/evaluation.json and one chart per world (<world>.svg).
 *
 *   npm run evaluate -- [--requests 30000] [--seeds 101,102,103,104,105] [--worlds a,b] [--policies random,popularity,ddqn-gamma0,ddqn,ddqn-gamma0.9]
 *                       [--jobs 2] [--kafka] [--out reports/evaluate-...] [KEY=VALUE ...]
 *
 * KEY=VALUE pairs are service settings applied to every run (e.g. LEARNER_N_STEP=3). Seeds 1-5 are for
 * tuning; 101-105 (the default) are held out: no tuning run uses them. Runs already in <out>/runs are kept,
 * so an interrupted evaluation resumes with the same --out.
 */
import { spawn } from 'node:child_process';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { WORLD_NAMES, renderEvaluationChart } from '@rec/simulator';
import { EXPERIMENT_POLICIES, configurationOf, type ExperimentPolicy } from './run-experiment';
import { summarizeEvaluation, type RunOutcome } from './evaluation-summary';
import { runThroughBroker } from './broker-run';
import { isUsageError, usageError } from '@rec/shared';
import { parseSettings } from './settings-arguments';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export const HELD_OUT_SEEDS = [101, 102, 103, 104, 105];

interface EvaluateOptions {
  requests: number;
  seeds: number[];
  worlds: string[];
  policies: ExperimentPolicy[];
  jobs: number;
  out: string;
  env: Record<string, string>;
  /** Through the real services and broker (infra/bin/demo per run) instead of in process. */
  kafka: boolean;
}

const USAGE = `usage: npm run evaluate -- [--requests 30000] [--seeds ${HELD_OUT_SEEDS.join(',')}] [--worlds ${WORLD_NAMES.join(',')}]
         [--policies ${EXPERIMENT_POLICIES.join(',')}] [--jobs <cores>] [--kafka] [--out reports/evaluate-<time>] [KEY=VALUE ...]`;

/** The command line, or null for --help. Unknown options and stray words are errors (with the usage). */
function parseOptions(args: string[]): EvaluateOptions | null {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      requests: { type: 'string', default: '30000' },
      seeds: { type: 'string' },
      worlds: { type: 'string' },
      policies: { type: 'string' },
      jobs: { type: 'string' },
      kafka: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const list = (value: string | undefined, fallback: string[]): string[] => value?.split(',').map((entry) => entry.trim()).filter(Boolean) ?? fallback;
  const policies = list(values.policies, [...EXPERIMENT_POLICIES]);
  for (const policy of policies) if (!(EXPERIMENT_POLICIES as readonly string[]).includes(policy)) throw usageError(`--policies: unknown policy "${policy}" (known: ${EXPERIMENT_POLICIES.join(', ')})`);
  const worlds = list(values.worlds, [...WORLD_NAMES]);
  for (const world of worlds) if (!WORLD_NAMES.includes(world)) throw usageError(`--worlds: unknown world "${world}" (known: ${WORLD_NAMES.join(', ')})`);
  const seeds = list(values.seeds, HELD_OUT_SEEDS.map(String)).map(Number);
  if (seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) throw usageError(`--seeds must be non-negative integers, got ${values.seeds}`);
  const requests = Number(values.requests);
  if (!Number.isInteger(requests) || requests < 100) throw usageError(`--requests must be an integer >= 100, got ${values.requests}`);
  const jobs = Number(values.jobs ?? os.cpus().length);
  if (!Number.isInteger(jobs) || jobs < 1) throw usageError(`--jobs must be a positive integer, got ${values.jobs}`);
  const env = parseSettings(positionals);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // Through the broker the services listen on fixed metrics ports: one run at a time.
  return { requests, seeds, worlds, policies: policies as ExperimentPolicy[], jobs: values.kafka ? 1 : jobs, out: values.out ?? path.join('reports', `evaluate-${stamp}`), env, kafka: values.kafka };
}

/** Runs one experiment in a child process (one tensor backend per process, and runs side by side). */
function runChild(world: string, policy: ExperimentPolicy, seed: number, options: EvaluateOptions, resultFile: string): Promise<void> {
  const script = path.join(__dirname, 'experiment-main.js');
  const settings = Object.entries({ SIM_WORLD: world, ...options.env }).map(([key, value]) => `${key}=${value}`);
  const args = [script, '--policy', policy, '--seed', String(seed), '--requests', String(options.requests), '--out', resultFile, ...settings];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${world}/${policy}/seed ${seed} failed (exit ${code}): ${stderr.trim().slice(-2000)}`))));
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runsDir = path.join(options.out, 'runs');
  await mkdir(runsDir, { recursive: true });
  // Seed by seed, so an interrupted evaluation has whole seeds to summarise (--seeds with fewer, same --out);
  // within a seed the slowest runs (the DQNs) first, so the pool ends together.
  // Policies that are one configuration (ddqn and ddqn-gamma0 when the default discount is 0) run once.
  const runAs = new Map<ExperimentPolicy, ExperimentPolicy>();
  for (const policy of options.policies) runAs.set(policy, options.policies.find((other) => configurationOf(other, options.env) === configurationOf(policy, options.env))!);
  const distinct = options.policies.filter((policy) => runAs.get(policy) === policy);
  const plan = options.seeds.flatMap((seed) => options.worlds.flatMap((world) => [...distinct].reverse().map((policy) => ({ world, policy, seed }))));
  process.stdout.write(
    `evaluate: ${plan.length} runs (${options.worlds.length} worlds x ${options.policies.length} policies x ${options.seeds.length} seeds), ${options.requests.toLocaleString('en-US')} requests each, ${options.kafka ? 'through the broker' : 'in process'}, ${options.jobs} at a time -> ${options.out}\n`,
  );
  const started = Date.now();
  const outcomes: RunOutcome[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.length) {
      const { world, policy, seed } = plan[next++];
      const file = path.join(runsDir, `${world}-${policy}-${seed}.json`);
      // A run already in the output folder (an earlier, interrupted evaluate with the same --out) is kept.
      if (!(await exists(file))) {
        if (options.kafka) {
          const reportDir = path.resolve(options.out, 'broker', `${world}-${policy}-${seed}`);
          await runThroughBroker({ world, policy, seed, requests: options.requests, env: options.env, reportDir }, REPO_ROOT, file);
        } else await runChild(world, policy, seed, options, file);
      }
      const result = JSON.parse(await readFile(file, 'utf8')) as RunOutcome['result'];
      for (const [alias, runner] of runAs) if (runner === policy) outcomes.push({ world, policy: alias, seed, result });
      done += 1;
      const served = result.served;
      process.stdout.write(
        `  [${done}/${plan.length}] ${world} ${policy} seed ${seed}: final ${served.finalRewardPerRequest.toFixed(3)} reward/request, ${served.rewardPerSession?.toFixed(3) ?? '-'} per session (${result.wallSeconds.toFixed(0)} s; ${((Date.now() - started) / 1000).toFixed(0)} s in)\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, plan.length) }, () => worker()));

  const aliases = Object.fromEntries([...runAs].filter(([policy, runner]) => policy !== runner));
  const evaluation = {
    ...summarizeEvaluation(outcomes, { requests: options.requests, seeds: options.seeds, worlds: options.worlds, policies: options.policies, settings: options.env }),
    transport: options.kafka ? 'kafka' : 'in-process',
    sameRunsAs: aliases,
  };
  await writeFile(path.join(options.out, 'evaluation.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
  for (const [world, figures] of Object.entries(evaluation.worlds)) {
    const svg = renderEvaluationChart({
      world,
      requests: options.requests,
      windows: figures.curve.windows,
      policies: figures.curve.policies,
      oracle: figures.oracle.rewardPerRequest,
      seeds: options.seeds,
    });
    await writeFile(path.join(options.out, `${world}.svg`), svg);
  }
  process.stdout.write(`\n${evaluationTable(evaluation)}\nwritten: ${path.join(options.out, 'evaluation.json')} and one chart per world (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

function evaluationTable(evaluation: ReturnType<typeof summarizeEvaluation> & { sameRunsAs: Record<string, string> }): string {
  const lines: string[] = [];
  const fmt = ({ mean, lo, hi }: { mean: number; lo: number; hi: number }) => `${mean.toFixed(3)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
  for (const [world, figures] of Object.entries(evaluation.worlds)) {
    lines.push(`${world} (oracle ${figures.oracle.rewardPerRequest.toFixed(3)} reward/request)`);
    lines.push(`  ${'policy'.padEnd(12)} ${'final reward/request'.padEnd(26)} ${'reward/session'.padEnd(26)} new/old CTR`);
    for (const [policy, policyFigures] of Object.entries(figures.policies)) {
      lines.push(`  ${policy.padEnd(12)} ${fmt(policyFigures.finalRewardPerRequest).padEnd(26)} ${fmt(policyFigures.rewardPerSession).padEnd(26)} ${Number.isNaN(policyFigures.newItemCtrRatio.mean) ? '-' : policyFigures.newItemCtrRatio.mean.toFixed(2)}`);
    }
    for (const [name, interval] of Object.entries(figures.comparisons)) lines.push(`  ${name}: ${fmt(interval)}`);
  }
  for (const [policy, runner] of Object.entries(evaluation.sameRunsAs)) lines.push(`${policy}: the same configuration as ${runner} (the services' defaults), so the same runs`);
  return lines.join('\n');
}

main().catch((error: unknown) => {
  // A mistaken command line gets its message and the usage; anything else its stack.
  if (isUsageError(error)) process.stderr.write(`evaluate: ${error.message}\n${USAGE}\n`);
  else process.stderr.write(`evaluate failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
