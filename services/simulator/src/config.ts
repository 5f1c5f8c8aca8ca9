import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { readSettings, setting, type SettingValues } from '@rec/shared';
import type { ClockMode } from './driver/virtual-clock';
import { SCENARIO_NAMES } from './world/scenario';
import { WORLD_NAMES, worldKindByName } from './world/world-kinds';

/** Every simulator setting, declared once (the README table and `rec config` come from here). */
export const SIMULATOR_SETTINGS = {
  requests: setting.int('SIM_REQUESTS', 20_000, [1, 100_000_000], 'requests to issue in all'),
  seed: setting.int('SIM_SEED', 42, [0, 4_294_967_295], 'seed of the hidden world: catalog, users, their choices'),
  world: setting.choice('SIM_WORLD', 'latent', WORLD_NAMES, 'which hidden world: its structure (see Worlds below); some change the churn defaults'),
  scenario: setting.choice('SIM_SCENARIO', 'default', SCENARIO_NAMES, 'hidden-world parameter set (see Scenarios below)'),
  catalogSize: setting.int('SIM_CATALOG_SIZE', 1_000, [10, 1_000_000], 'items in the initial catalog (10,000 works)'),
  categories: setting.int('SIM_CATEGORIES', 24, [1, 1_000], 'item categories'),
  users: setting.int('SIM_USERS', 2_000, [1, 10_000_000], 'simulated users'),
  concurrentUsers: setting.int('SIM_CONCURRENT_USERS', 64, [1, 100_000], 'users in a visit at once = bound on requests in flight'),
  slateSize: setting.int('SIM_SLATE_SIZE', 10, [1, 100], '`slateSize` of every request'),
  actionTimeoutMs: setting.int('SIM_ACTION_TIMEOUT_MS', 5_000, [1, 600_000], 'no action by then: a timeout (counted; nothing shown; the session goes on)'),
  requestsPerSecond: setting.number('SIM_REQUESTS_PER_SECOND', 0, [0, 1_000_000], 'request rate cap; 0 = as fast as actions come back'),
  reportDir: setting.string('SIM_REPORT_DIR', '', "where report.json, learning-curve.svg and .csv go (relative to the working directory); '' = reports/<timestamp>"),
  reportWindows: setting.int('SIM_REPORT_WINDOWS', 20, [1, 1_000], 'learning-curve windows'),
  progressIntervalMs: setting.int('SIM_PROGRESS_INTERVAL_MS', 5_000, [0, 3_600_000], 'progress log interval (0 = none)'),
  progressFormat: setting.choice('SIM_PROGRESS_FORMAT', 'log', ['log', 'text'], 'progress as structured logs, or also as a plain line on stdout'),
  organicEventsPerRequest: setting.number('SIM_ORGANIC_EVENTS_PER_REQUEST', 0.2, [0, 10], 'organic browsing events (`requestId` null) per request'),
  catalogUpdateEvery: setting.int('SIM_CATALOG_UPDATE_EVERY', 500, [0, 100_000_000], 'catalog churn step, in requests (0 = static catalog)'),
  stockoutsPer1000Requests: setting.number('SIM_STOCKOUTS_PER_1000_REQUESTS', 3, [0, 100_000], 'items going out of stock (`available=false`) per 1,000 requests'),
  restockAfterRequests: setting.int('SIM_RESTOCK_AFTER_REQUESTS', 5_000, [0, 100_000_000], 'an out-of-stock item comes back after this many requests (0 = never)'),
  newItemsPer1000Requests: setting.number('SIM_NEW_ITEMS_PER_1000_REQUESTS', 5, [0, 100_000], 'new items arriving per 1,000 requests'),
  featureNoise: setting.number('SIM_FEATURE_NOISE', 0.05, [0, 10], 'std of the noise on published features'),
  itemSpread: setting.number('SIM_ITEM_SPREAD', 0.6, [0, 10], "std of items' latent offsets from their category centre"),
  rewardClick: setting.number('SIM_REWARD_CLICK', 1, [-1_000, 1_000], "reward per click; must equal the joiner's JOINER_REWARD_CLICK"),
  rewardAddToCart: setting.number('SIM_REWARD_ADD_TO_CART', 2, [-1_000, 1_000], "reward per add-to-cart; must equal the joiner's"),
  rewardPurchase: setting.number('SIM_REWARD_PURCHASE', 5, [-1_000, 1_000], "reward per purchase; must equal the joiner's"),
  rewardPurchaseValue: setting.number('SIM_REWARD_PURCHASE_VALUE', 0, [-1_000, 1_000], "reward per unit of purchase value; must equal the joiner's JOINER_REWARD_VALUE_WEIGHT"),
  clock: setting.choice<ClockMode>('SIM_CLOCK', 'virtual', ['virtual', 'wall'], 'published timestamps: `virtual` (simulated clock) or `wall` (Date.now() at emission)'),
  startTimeMs: setting.int('SIM_START_TIME_MS', 0, [0, 8_640_000_000_000], 'published epoch ms of virtual time 0; 0 = the wall clock at start'),
  startHour: setting.number('SIM_START_HOUR', 8, [0, 24], 'hidden UTC hour of day at virtual time 0'),
  runId: setting.string('SIM_RUN_ID', '', "part of every requestId/eventId, so runs never collide; '' = random"),
  retireStaleItems: setting.boolean('SIM_RETIRE_STALE_ITEMS', true, 'at start, republish catalog-topic items this run does not have as `available=false`'),
};

/** The config field of each catalog-churn option a world may change the default of. */
const CHURN_FIELDS = {
  updateEveryRequests: 'catalogUpdateEvery',
  stockoutsPer1000Requests: 'stockoutsPer1000Requests',
  restockAfterRequests: 'restockAfterRequests',
  newItemsPer1000Requests: 'newItemsPer1000Requests',
} as const;

/** Every simulator setting, read once from SIM_* environment variables (plus the common config). */
export type SimulatorConfig = Omit<SettingValues<typeof SIMULATOR_SETTINGS>, 'scenario' | 'world'> & { scenario: string; world: string };

export function readSimulatorConfig(environment: NodeJS.ProcessEnv = process.env, now: Date = new Date()): SimulatorConfig {
  const settings = readSettings(SIMULATOR_SETTINGS, environment);
  // The world's own churn defaults, for the churn variables the environment leaves unset.
  const churn: Partial<SimulatorConfig> = {};
  for (const [field, value] of Object.entries(worldKindByName(settings.world).churnDefaults) as [keyof typeof CHURN_FIELDS, number][]) {
    if (environment[SIMULATOR_SETTINGS[CHURN_FIELDS[field]].env] === undefined) churn[CHURN_FIELDS[field]] = value;
  }
  return {
    ...settings,
    ...churn,
    reportDir: settings.reportDir !== '' ? settings.reportDir : path.join('reports', now.toISOString().replace(/[:.]/g, '-')),
    startTimeMs: settings.startTimeMs !== 0 ? settings.startTimeMs : now.getTime(),
    runId: settings.runId !== '' ? settings.runId : randomBytes(4).toString('hex'),
  };
}
