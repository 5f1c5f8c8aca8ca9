/**
 * Merges several simulator runs (typically one per policy, same seed) into one report with one chart:
 *
 *   node services/simulator/dist/merge-reports-main.js <dir1> <dir2> ... --out <dir>
 *
 * Each <dir> holds a report.json. Writes report.json, learning-curve.svg and learning-curve.csv to
 * --out and prints the table.
 */
import { mergeReports } from './scoreboard/merge-reports';
import { readReport, writeReport } from './scoreboard/report-writer';
import { terminalTable } from './scoreboard/terminal-table';

const USAGE = 'usage: merge-reports-main.js <report-dir> [<report-dir> ...] --out <dir> [--name-by-run: name each single-policy run after its directory]';

async function main(argv: string[]): Promise<void> {
  const sources: string[] = [];
  let out: string | null = null;
  let nameByRun = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--out') out = argv[++index] ?? null;
    else if (arg === '--name-by-run') nameByRun = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return;
    } else sources.push(arg);
  }
  if (out === null || sources.length === 0) throw new Error(USAGE);
  const inputs = await Promise.all(sources.map(async (source) => ({ source, report: await readReport(source) })));
  const merged = mergeReports(inputs, { nameByRun });
  const written = await writeReport(out, merged);
  process.stdout.write(terminalTable(merged));
  for (const warning of merged.warnings ?? []) process.stdout.write(`note: ${warning}\n`);
  process.stdout.write(`wrote ${written.json}, ${written.svg}, ${written.csv}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
