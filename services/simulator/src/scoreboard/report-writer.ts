import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { learningCurveCsv } from './learning-curve-csv';
import { learningCurveSvg } from './learning-curve-svg';
import type { SimulationReport } from './simulation-report';

export interface WrittenReport {
  dir: string;
  json: string;
  svg: string;
  csv: string;
}

export const REPORT_FILE = 'report.json';

/** Writes report.json, learning-curve.svg and learning-curve.csv into `dir` (created if missing). */
export async function writeReport(dir: string, report: SimulationReport): Promise<WrittenReport> {
  await fs.mkdir(dir, { recursive: true });
  const written: WrittenReport = {
    dir,
    json: path.join(dir, REPORT_FILE),
    svg: path.join(dir, 'learning-curve.svg'),
    csv: path.join(dir, 'learning-curve.csv'),
  };
  // The legend names the policies; the title says what the lines are.
  const title = `${report.world ?? 'latent'} world, ${report.scenario} scenario, seed ${report.seed}, ${report.requests.toLocaleString('en-US')} requests: realised per policy, oracle expected (dashed)`;
  await fs.writeFile(written.json, JSON.stringify(report, null, 2) + '\n');
  await fs.writeFile(written.svg, learningCurveSvg(report.curve, title));
  await fs.writeFile(written.csv, learningCurveCsv(report.curve));
  return written;
}

/** Reads a report.json from a directory (or the file itself). */
export async function readReport(dirOrFile: string): Promise<SimulationReport> {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, REPORT_FILE);
  return JSON.parse(await fs.readFile(file, 'utf8')) as SimulationReport;
}
