/**
 * Runs every benchmark, one at a time (they share this machine's cores with Kafka and Redis), each in
 * its own process, then prints every target's verdict from the result files.
 *
 *   npm run bench                          full run (about 25 minutes: memory alone takes 10)
 *   npm run bench -- --quick               smoke run, a few seconds of measurement per phase
 *   node test/dist/bench/run-all.js [--quick] [--profile]
 * Env: BENCH_QUICK=1, BENCH_PROFILE=1, BENCH_RESULTS_DIR (default results/), BENCH_ONLY=actor,learner (a subset),
 * BENCH_QUIET_WAIT_S (full run default 300, quick 0 = never wait): before each benchmark, wait up to this long for other
 * work on the machine to stop (other processes, Kafka and Redis together under half a core), since it
 * skews every figure; each result file records what else ran (machineLoad).
 * Exit status: 1 when a benchmark failed to run; target misses are reported, not failures.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBenchOptions, REPO_ROOT } from './bench-options';
import { printTable, type TargetCheck } from './bench-report';
import { waitForQuietMachine } from './machine-load';

export const BENCHMARKS = ['actor', 'learner', 'freshness', 'memory', 'weights', 'update-bytes', 'joiner', 'joiner-consumption'] as const;

/** Longest one benchmark may run before it is stopped (its own cleanup runs on SIGTERM). */
const LIMIT_MS = { quick: 5 * 60_000, full: 30 * 60_000 };

function runOne(name: string, args: string[], limitMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, `${name}.js`), ...args], { cwd: REPO_ROOT, env: process.env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const stopTimer = setTimeout(() => {
      console.error(`run-all: ${name} ran past ${limitMs / 60_000} minutes; stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
    }, limitMs);
    child.once('exit', (code) => {
      clearTimeout(stopTimer);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code);
    });
  });
}

async function main(): Promise<void> {
  const options = readBenchOptions();
  const args = [...(options.quick ? ['--quick'] : []), ...(options.profile ? ['--profile'] : [])];
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim()).filter(Boolean);
  const selected = BENCHMARKS.filter((name) => only === undefined || only.includes(name));
  const outcomes: { benchmark: string; exit: number | null; seconds: number; file: string }[] = [];
  for (const name of selected) {
    console.log(`\n=== bench ${name} (${options.quick ? 'quick' : 'full'})`);
    const quietWaitMs = Number(process.env.BENCH_QUIET_WAIT_S ?? (options.quick ? '0' : '300')) * 1000;
    if (quietWaitMs > 0) {
      const quiet = await waitForQuietMachine(quietWaitMs);
      if (quiet.busyCores >= 0.5) console.log(`run-all: the machine is still busy (${quiet.busyCores} cores used by other processes) after ${Math.round(quiet.waitedMs / 1000)} s; running anyway`);
      else if (quiet.waitedMs > 6_000) console.log(`run-all: waited ${Math.round(quiet.waitedMs / 1000)} s for other work on the machine to stop`);
    }
    const started = Date.now();
    const exit = await runOne(name, args, options.quick ? LIMIT_MS.quick : LIMIT_MS.full);
    outcomes.push({ benchmark: name, exit, seconds: Math.round((Date.now() - started) / 1000), file: path.join(options.resultsDir, `${name}.json`) });
  }
  const targets: Record<string, unknown>[] = [];
  for (const outcome of outcomes) {
    if (outcome.exit !== 0 || !fs.existsSync(outcome.file)) continue;
    const result = JSON.parse(fs.readFileSync(outcome.file, 'utf8')) as { targets?: TargetCheck[] };
    for (const check of result.targets ?? []) targets.push({ benchmark: outcome.benchmark, verdict: check.verdict, measured: check.measured, bound: check.bound, target: check.target });
  }
  printTable('\nbenchmarks (run one at a time)', outcomes.map(({ benchmark, exit, seconds }) => ({ benchmark, status: exit === 0 ? 'ok' : `FAILED (exit ${exit})`, seconds })));
  printTable('targets', targets, ['benchmark', 'verdict', 'measured', 'bound', 'target']);
  console.log(`\nresults in ${options.resultsDir}`);
  process.exitCode = outcomes.every((outcome) => outcome.exit === 0) ? 0 : 1;
}

void main();
