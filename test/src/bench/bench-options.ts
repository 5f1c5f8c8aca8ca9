import * as path from 'node:path';

/** How a benchmark command was asked to run. */
export interface BenchOptions {
  /** A short smoke run (a few seconds of measurement per phase): `--quick` or BENCH_QUICK=1. */
  quick: boolean;
  /** Run the service child processes under `node --cpu-prof` (profiles land in <resultsDir>/profiles): `--profile` or BENCH_PROFILE=1. */
  profile: boolean;
  /** Where the JSON results, child logs and profiles go: BENCH_RESULTS_DIR, default `results/` at the repo root. */
  resultsDir: string;
}

/** The repository root (test/dist/bench -> ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export function readBenchOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const known = new Set(['--quick', '--profile', '--help']);
  const unknown = argv.filter((arg) => !known.has(arg));
  if (argv.includes('--help') || unknown.length > 0) {
    if (unknown.length > 0) console.error(`unknown argument(s): ${unknown.join(' ')}`);
    console.error('usage: node test/dist/bench/<name>.js [--quick] [--profile]   (env: BENCH_QUICK=1, BENCH_PROFILE=1, BENCH_RESULTS_DIR)');
    process.exit(unknown.length > 0 ? 2 : 0);
  }
  const flag = (value: string | undefined) => value !== undefined && value !== '' && value !== '0' && value !== 'false';
  return {
    quick: argv.includes('--quick') || flag(env.BENCH_QUICK),
    profile: argv.includes('--profile') || flag(env.BENCH_PROFILE),
    resultsDir: path.resolve(REPO_ROOT, env.BENCH_RESULTS_DIR ?? 'results'),
  };
}
