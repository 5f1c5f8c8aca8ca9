import * as path from 'node:path';
import * as currentJoiner from '@rec/joiner';
import { LiveCatalog, type ServiceMetrics } from '@rec/shared';
import { benchCatalog } from './bench-catalog';

/**
 * What the joiner benchmarks (joiner.ts, the sweep; joiner-consumption.ts, the consumption) share: the
 * workload's shape, the builds they compare, and how they read a counter.
 */

/** How much work one benchmark run does: per partition, and how many counted repetitions. */
export interface JoinerBenchPlan {
  requestsPerPartition: number;
  repetitions: number;
}

export const SLATE_SIZE = 10;
/** Each user's requests form chains of this many (the next request links its predecessor). */
export const REQUESTS_PER_USER = 4;
export const CATALOG_SIZE = 1_000;
/** Long lifetimes, so nothing a repetition wrote expires while it runs. */
export const PENDING_OPTIONS = { ttlMs: 3_600_000, rewardWaitMs: 60_000, dedupTtlMs: 3_600_000, historyLength: 50, historyTtlMs: 3_600_000 };

export type JoinerModule = typeof currentJoiner;

/** A build of the joiner under measurement, with settings of its own (defaults otherwise). */
export interface JoinerVariant {
  name: string;
  module: JoinerModule;
  env?: Record<string, string>;
}

/** The bench catalog (CATALOG_SIZE items) as a live catalog, and its ids. */
export function joinerBenchCatalog(): { catalog: LiveCatalog; catalogIds: string[] } {
  const catalog = new LiveCatalog();
  const items = benchCatalog(CATALOG_SIZE);
  for (const item of items) catalog.upsert(item);
  return { catalog, catalogIds: items.map(({ itemId }) => itemId) };
}

/** The folders BENCH_JOINER_BASELINE names (comma-separated), in order. */
export function baselineBuildDirs(environment: NodeJS.ProcessEnv = process.env): string[] {
  return (environment.BENCH_JOINER_BASELINE ?? '').split(',').filter((dir) => dir !== '');
}

/**
 * `current` (this build's variants) with the builds BENCH_JOINER_BASELINE names (comma-separated folders
 * holding another commit's services/joiner/dist) in front: the first is 'baseline', further ones are
 * named after their folder.
 */
export function withBaselineBuilds(current: JoinerVariant[], environment: NodeJS.ProcessEnv = process.env): JoinerVariant[] {
  const variants = [...current];
  for (const [index, dir] of baselineBuildDirs(environment).entries()) {
    const name = index === 0 ? 'baseline' : path.basename(path.resolve(dir));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    variants.splice(index, 0, { name, module: require(path.resolve(dir, 'main.js')) as JoinerModule });
  }
  return variants;
}

/** A counter's total over the series whose labels match `labels` (all series without). */
export async function counterTotal(metrics: ServiceMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const matches = (values: Record<string, unknown>) => Object.entries(labels).every(([label, value]) => values[label] === value);
  return (await metric.get()).values.filter(({ labels: own }) => matches(own)).reduce((sum, { value }) => sum + value, 0);
}
