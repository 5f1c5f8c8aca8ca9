import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { bool, intIn, numIn, readEnv, str } from '@rec/shared';
import type { ClockMode } from './driver/virtual-clock';
import { SCENARIO_NAMES } from './world/scenario';

/** Every simulator setting, read once from SIM_* environment variables (plus the common config). */
export interface SimulatorConfig {
  /** Requests to issue in all (SIM_REQUESTS). */
  requests: number;
  /** Seed of the hidden world: catalog, users, their choices (SIM_SEED). */
  seed: number;
  /** Hidden-world parameter set: default, session-dynamics, static (SIM_SCENARIO). */
  scenario: string;
  /** Items in the initial catalog (SIM_CATALOG_SIZE). */
  catalogSize: number;
  /** Number of item categories (SIM_CATEGORIES). */
  categories: number;
  /** Simulated users (SIM_USERS). */
  users: number;
  /** Users in a visit at once: the bound on requests in flight (SIM_CONCURRENT_USERS). */
  concurrentUsers: number;
  /** Items asked for per request (SIM_SLATE_SIZE). */
  slateSize: number;
  /** A request with no action after this long is a timeout; its session goes on (SIM_ACTION_TIMEOUT_MS). */
  actionTimeoutMs: number;
  /** Requests per second across users; 0 = as fast as the system answers (SIM_REQUESTS_PER_SECOND). */
  requestsPerSecond: number;
  /** Where report.json, learning-curve.svg and learning-curve.csv go (SIM_REPORT_DIR). */
  reportDir: string;
  /** Windows of the learning curve (SIM_REPORT_WINDOWS). */
  reportWindows: number;
  /** Interval of progress logs, ms; 0 = none (SIM_PROGRESS_INTERVAL_MS). */
  progressIntervalMs: number;
  /** Progress as structured logs, or also as a plain line on stdout (SIM_PROGRESS_FORMAT: log or text). */
  progressFormat: 'log' | 'text';
  /** Expected organic browsing events (requestId null) per request (SIM_ORGANIC_EVENTS_PER_REQUEST). */
  organicEventsPerRequest: number;
  /** Catalog churn is applied every this many requests; 0 = no churn (SIM_CATALOG_UPDATE_EVERY). */
  catalogUpdateEvery: number;
  /** Items going out of stock per 1,000 requests (SIM_STOCKOUTS_PER_1000_REQUESTS). */
  stockoutsPer1000Requests: number;
  /** An out-of-stock item is back after this many requests; 0 = never (SIM_RESTOCK_AFTER_REQUESTS). */
  restockAfterRequests: number;
  /** New items arriving per 1,000 requests (SIM_NEW_ITEMS_PER_1000_REQUESTS). */
  newItemsPer1000Requests: number;
  /** Std of the observation noise on published item features (SIM_FEATURE_NOISE). */
  featureNoise: number;
  /** Std of items' latent offsets from their category centre (SIM_ITEM_SPREAD). */
  itemSpread: number;
  /** Reward per click (SIM_REWARD_CLICK); keep equal to the joiner's. */
  rewardClick: number;
  /** Reward per add-to-cart (SIM_REWARD_ADD_TO_CART). */
  rewardAddToCart: number;
  /** Reward per purchase (SIM_REWARD_PURCHASE). */
  rewardPurchase: number;
  /** Reward per unit of purchase value (SIM_REWARD_PURCHASE_VALUE). */
  rewardPurchaseValue: number;
  /** Published timestamps: virtual (simulated clock) or wall (SIM_CLOCK). */
  clock: ClockMode;
  /** Published epoch ms of virtual time 0; 0 = the wall clock at start (SIM_START_TIME_MS). */
  startTimeMs: number;
  /** Hidden UTC hour of day at virtual time 0 (SIM_START_HOUR). */
  startHour: number;
  /** Unique per run, part of every requestId and eventId; default random (SIM_RUN_ID). */
  runId: string;
  /** Mark items already on the catalog topic but not in this run's catalog unavailable (SIM_RETIRE_STALE_ITEMS). */
  retireStaleItems: boolean;
}

export function readSimulatorConfig(environment: NodeJS.ProcessEnv = process.env, now: Date = new Date()): SimulatorConfig {
  const env = readEnv(
    {
      SIM_REQUESTS: intIn(1, 100_000_000)({ default: 20_000, desc: 'requests to issue' }),
      SIM_SEED: intIn(0, 4_294_967_295)({ default: 42, desc: 'seed of the hidden world' }),
      SIM_SCENARIO: str({ default: 'default', choices: SCENARIO_NAMES, desc: 'hidden-world parameter set' }),
      SIM_CATALOG_SIZE: intIn(10, 1_000_000)({ default: 1_000, desc: 'items in the initial catalog' }),
      SIM_CATEGORIES: intIn(1, 1_000)({ default: 24, desc: 'item categories' }),
      SIM_USERS: intIn(1, 10_000_000)({ default: 2_000, desc: 'simulated users' }),
      SIM_CONCURRENT_USERS: intIn(1, 100_000)({ default: 64, desc: 'users in a visit at once' }),
      SIM_SLATE_SIZE: intIn(1, 100)({ default: 10, desc: 'items per request' }),
      SIM_ACTION_TIMEOUT_MS: intIn(1, 600_000)({ default: 5_000, desc: 'wait for an action before a timeout' }),
      SIM_REQUESTS_PER_SECOND: numIn(0, 1_000_000)({ default: 0, desc: 'request rate; 0 = unbounded' }),
      SIM_REPORT_DIR: str({ default: '', desc: 'report directory; default reports/<timestamp>' }),
      SIM_REPORT_WINDOWS: intIn(1, 1_000)({ default: 20, desc: 'learning-curve windows' }),
      SIM_PROGRESS_INTERVAL_MS: intIn(0, 3_600_000)({ default: 5_000, desc: 'progress log interval' }),
      SIM_PROGRESS_FORMAT: str({ default: 'log', choices: ['log', 'text'], desc: 'progress as logs, or also plain lines on stdout' }),
      SIM_ORGANIC_EVENTS_PER_REQUEST: numIn(0, 10)({ default: 0.2, desc: 'organic events per request' }),
      SIM_CATALOG_UPDATE_EVERY: intIn(0, 100_000_000)({ default: 500, desc: 'requests between catalog changes' }),
      SIM_STOCKOUTS_PER_1000_REQUESTS: numIn(0, 100_000)({ default: 3, desc: 'stockouts per 1,000 requests' }),
      SIM_RESTOCK_AFTER_REQUESTS: intIn(0, 100_000_000)({ default: 5_000, desc: 'requests until a restock' }),
      SIM_NEW_ITEMS_PER_1000_REQUESTS: numIn(0, 100_000)({ default: 5, desc: 'new items per 1,000 requests' }),
      SIM_FEATURE_NOISE: numIn(0, 10)({ default: 0.05, desc: 'noise on published features' }),
      SIM_ITEM_SPREAD: numIn(0, 10)({ default: 0.6, desc: 'item spread around the category centre' }),
      SIM_REWARD_CLICK: numIn(-1_000, 1_000)({ default: 1, desc: 'reward per click' }),
      SIM_REWARD_ADD_TO_CART: numIn(-1_000, 1_000)({ default: 2, desc: 'reward per add-to-cart' }),
      SIM_REWARD_PURCHASE: numIn(-1_000, 1_000)({ default: 5, desc: 'reward per purchase' }),
      SIM_REWARD_PURCHASE_VALUE: numIn(-1_000, 1_000)({ default: 0, desc: 'reward per unit of purchase value' }),
      SIM_CLOCK: str({ default: 'virtual', choices: ['virtual', 'wall'], desc: 'published timestamps' }),
      SIM_START_TIME_MS: intIn(0, 8_640_000_000_000)({ default: 0, desc: 'published epoch ms of virtual 0; 0 = now' }),
      SIM_START_HOUR: numIn(0, 24)({ default: 8, desc: 'hidden UTC hour at virtual 0' }),
      SIM_RUN_ID: str({ default: '', desc: 'unique run id; default random' }),
      SIM_RETIRE_STALE_ITEMS: bool({ default: true, desc: 'mark stale catalog-topic items unavailable' }),
    },
    environment,
  );
  return {
    requests: env.SIM_REQUESTS,
    seed: env.SIM_SEED,
    scenario: env.SIM_SCENARIO,
    catalogSize: env.SIM_CATALOG_SIZE,
    categories: env.SIM_CATEGORIES,
    users: env.SIM_USERS,
    concurrentUsers: env.SIM_CONCURRENT_USERS,
    slateSize: env.SIM_SLATE_SIZE,
    actionTimeoutMs: env.SIM_ACTION_TIMEOUT_MS,
    requestsPerSecond: env.SIM_REQUESTS_PER_SECOND,
    reportDir: env.SIM_REPORT_DIR !== '' ? env.SIM_REPORT_DIR : path.join('reports', now.toISOString().replace(/[:.]/g, '-')),
    reportWindows: env.SIM_REPORT_WINDOWS,
    progressIntervalMs: env.SIM_PROGRESS_INTERVAL_MS,
    progressFormat: env.SIM_PROGRESS_FORMAT as 'log' | 'text',
    organicEventsPerRequest: env.SIM_ORGANIC_EVENTS_PER_REQUEST,
    catalogUpdateEvery: env.SIM_CATALOG_UPDATE_EVERY,
    stockoutsPer1000Requests: env.SIM_STOCKOUTS_PER_1000_REQUESTS,
    restockAfterRequests: env.SIM_RESTOCK_AFTER_REQUESTS,
    newItemsPer1000Requests: env.SIM_NEW_ITEMS_PER_1000_REQUESTS,
    featureNoise: env.SIM_FEATURE_NOISE,
    itemSpread: env.SIM_ITEM_SPREAD,
    rewardClick: env.SIM_REWARD_CLICK,
    rewardAddToCart: env.SIM_REWARD_ADD_TO_CART,
    rewardPurchase: env.SIM_REWARD_PURCHASE,
    rewardPurchaseValue: env.SIM_REWARD_PURCHASE_VALUE,
    clock: env.SIM_CLOCK as ClockMode,
    startTimeMs: env.SIM_START_TIME_MS !== 0 ? env.SIM_START_TIME_MS : now.getTime(),
    startHour: env.SIM_START_HOUR,
    runId: env.SIM_RUN_ID !== '' ? env.SIM_RUN_ID : randomBytes(4).toString('hex'),
    retireStaleItems: env.SIM_RETIRE_STALE_ITEMS,
  };
}
