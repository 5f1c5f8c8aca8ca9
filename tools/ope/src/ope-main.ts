/**
 * Off-policy evaluation of a run logged on Kafka:
 *
 *   node tools/ope/dist/ope-main.js [--targets uniform-random,popularity-by-category]
 *        [--policy <logged policy>] [--split 0.5] [--out <dir>]
 *
 * Reads rec.requests.v1, rec.actions.v1 (with propensities), rec.feedback.v1 and rec.catalog.v1 from the
 * beginning until caught up (TOPIC_PREFIX, KAFKA_BROKERS as for the services), joins them into logged
 * slates and estimates each target policy's CTR per shown slot with IPS and SNIPS and 95% confidence
 * intervals (see estimators.ts for the formulas). popularity-by-category is defined from the first
 * --split of the logged requests (by time) and every target is evaluated on the rest.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createKafka, createLogger, isUsageError, kafkaSecurity, readCommonConfig, topicNames, usageError } from '@rec/shared';
import type { Estimate } from './estimators';
import { evaluateTarget, type TargetEvaluation } from './evaluate-target';
import { readLoggedRun } from './kafka-log-reader';
import { joinLoggedData } from './logged-data';
import { popularityByCategoryTarget, TARGET_NAMES, uniformRandomTarget, type TargetName, type TargetPolicy } from './target-policies';

const USAGE = `usage: ope-main.js [--targets ${TARGET_NAMES.join(',')}] [--policy <name>] [--split 0.5] [--out <dir>]`;

interface Options {
  targets: TargetName[];
  policy: string | null;
  split: number;
  out: string | null;
}

/** The command line, or null for --help; an unknown option or a stray word is an error. */
function parseOptions(args: string[]): Options | null {
  const { values } = parseArgs({
    args,
    options: {
      targets: { type: 'string' },
      policy: { type: 'string' },
      split: { type: 'string', default: '0.5' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const targets = values.targets === undefined ? [...TARGET_NAMES] : values.targets.split(',').map((name) => name.trim());
  const unknown = targets.filter((name) => !(TARGET_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw usageError(`unknown target(s) ${unknown.join(', ')}`);
  const split = Number(values.split);
  if (!(split >= 0 && split < 1)) throw usageError(`--split must be in [0, 1)`);
  return { targets: targets as TargetName[], policy: values.policy ?? null, split, out: values.out ?? null };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const common = readCommonConfig();
  const logger = createLogger('simulator-ope');
  const kafka = createKafka({ clientId: 'simulator-ope', brokers: common.kafkaBrokers, logger, security: kafkaSecurity(common) });
  const topics = topicNames(common.topicPrefix);

  const run = await readLoggedRun(kafka, topics, logger);
  const all = joinLoggedData(run).filter((request) => options.policy === null || request.policy === options.policy);
  if (all.length === 0) throw new Error(`no logged requests with actions and impressions on ${topics.actions}${options.policy ? ` for policy ${options.policy}` : ''}`);
  const splitAt = Math.floor(all.length * options.split);
  const evaluation = all.slice(splitAt);
  const splitTime = splitAt > 0 ? all[splitAt].timestamp : Number.NEGATIVE_INFINITY;
  const training = run.feedback.filter((event) => event.timestamp < splitTime);

  const targets: TargetPolicy[] = options.targets.map((name) =>
    name === 'uniform-random' ? uniformRandomTarget(run.catalog) : popularityByCategoryTarget(run.catalog, training),
  );
  const results = targets.map((target) => evaluateTarget(evaluation, target));
  const policies = [...new Set(evaluation.map((request) => request.policy))];
  process.stdout.write(
    `logged: ${run.actions.length} actions, ${run.feedback.length} feedback events, ${run.catalog.length} catalog items; ` +
      `evaluating on ${evaluation.length} requests (policies ${policies.join(', ')}), defined on ${splitAt}\n`,
  );
  process.stdout.write(table(results));

  if (options.out !== null) {
    await fs.mkdir(options.out, { recursive: true });
    const file = path.join(options.out, 'ope.json');
    const body = { topics, loggedPolicies: policies, evaluatedRequests: evaluation.length, definedOnRequests: splitAt, results };
    await fs.writeFile(file, JSON.stringify(body, null, 2) + '\n');
    process.stdout.write(`wrote ${file}\n`);
  }
}

function table(results: TargetEvaluation[]): string {
  const interval = (estimate: Estimate) =>
    `${pct(estimate.value)} [${pct(estimate.ci95[0])}, ${pct(estimate.ci95[1])}]`;
  const header = ['target', 'IPS CTR [95% CI]', 'SNIPS CTR [95% CI]', 'matched slots', 'ESS', 'logging CTR'];
  const rows = results.map((result) => [
    result.target,
    interval(result.ctr.ips),
    interval(result.ctr.snips),
    `${result.ctr.matchedSlots}/${result.ctr.slots}`,
    result.ctr.effectiveSampleSize.toFixed(1),
    pct(result.loggingCtr),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function pct(value: number): string {
  return Number.isFinite(value) ? `${(100 * value).toFixed(2)}%` : 'n/a';
}

main().catch((error: unknown) => {
  process.stderr.write(`ope failed: ${error instanceof Error ? error.message : String(error)}${isUsageError(error) ? `\n${USAGE}` : ''}\n`);
  process.exit(1);
});
