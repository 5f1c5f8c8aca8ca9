import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchOptions } from './bench-options';
import { machineLoadSoFar } from './machine-load';

/** A target from the brief, checked against a measured figure. */
export interface TargetCheck {
  /** What is compared, e.g. "actor decisions/s at 10,000 items, slate 10". */
  target: string;
  /** The bound, as text: ">= 5000", "<= 50 ms". */
  bound: string;
  /** The measured figure (null when it could not be measured). */
  measured: number | null;
  /** PASS when the figure meets the bound, MISS when not (or not measured). */
  verdict: 'PASS' | 'MISS';
}

export function atLeast(target: string, measured: number | null, bound: number, unit = ''): TargetCheck {
  return { target, bound: `>= ${bound}${unit}`, measured, verdict: measured !== null && measured >= bound ? 'PASS' : 'MISS' };
}

export function atMost(target: string, measured: number | null, bound: number, unit = ''): TargetCheck {
  return { target, bound: `<= ${bound}${unit}`, measured, verdict: measured !== null && measured <= bound ? 'PASS' : 'MISS' };
}

/** The conditions every result file records: the machine and how the run was made. */
export function runConditions(options: BenchOptions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    generatedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    note: `one benchmark at a time on this ${cpus.length}-core machine (Kafka, Redis, the services and the load generator share the cores); medians over repetitions`,
    // Other work on the machine during the run (outside this benchmark, Kafka and Redis) skews the figures.
    machineLoad: machineLoadSoFar(),
    ...extra,
  };
}

/** Writes `<resultsDir>/<name>.json` and returns its path. */
export function writeResults(options: BenchOptions, name: string, payload: Record<string, unknown>): string {
  fs.mkdirSync(options.resultsDir, { recursive: true });
  const file = path.join(options.resultsDir, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  return file;
}

/** Prints rows as an aligned text table with the given columns (null prints as "-"). */
export function printTable(title: string, rows: readonly Record<string, unknown>[], columns?: readonly string[]): void {
  const names = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown) => (value === null || value === undefined ? '-' : typeof value === 'number' ? formatNumber(value) : String(value));
  const cells = rows.map((row) => names.map((name) => cell(row[name])));
  const widths = names.map((name, index) => Math.max(name.length, ...cells.map((line) => line[index].length)));
  const line = (values: string[]) => values.map((value, index) => value.padStart(widths[index])).join('  ');
  console.log(`\n${title}`);
  console.log(line([...names]));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const values of cells) console.log(line(values));
}

export function printTargets(checks: readonly TargetCheck[]): void {
  printTable(
    'targets',
    checks.map((check) => ({ verdict: check.verdict, target: check.target, bound: check.bound, measured: check.measured })),
    ['verdict', 'measured', 'bound', 'target'],
  );
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3);
}
