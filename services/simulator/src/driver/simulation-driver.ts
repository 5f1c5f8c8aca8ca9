import type { Logger } from '@rec/shared';
import type { SimulationLedger } from '../scoreboard/simulation-ledger';
import type { SessionSimulator, Visit } from './session-simulator';
import { VisitScheduler } from './visit-scheduler';
import { SimCatalog, type SimItem } from '../world/catalog';
import type { PlatformTransport } from './platform-transport';
import { RateLimiter } from './rate-limiter';
import type { SimulatorMetrics } from './simulator-metrics';

export interface DriverOptions {
  /** Requests to issue in all. */
  requests: number;
  /** Users in a visit at once: the bound on requests in flight. */
  concurrentUsers: number;
  /** A request with no action after this long counts as a timeout; the session goes on. */
  actionTimeoutMs: number;
  /** Requests per second across all users; 0: as fast as the system answers. */
  requestsPerSecond: number;
  /** Interval of progress logs; 0: none. */
  progressIntervalMs: number;
  /** Progress as structured log lines, or as one plain line on stdout for a person watching. */
  progressFormat?: 'log' | 'text';
}

export interface DriverDependencies {
  simulator: SessionSimulator;
  transport: PlatformTransport;
  ledger: SimulationLedger;
  options: DriverOptions;
  logger?: Logger;
  metrics?: SimulatorMetrics;
  /** Stop early (SIGTERM): no new requests are issued once it returns true. */
  shouldStop?: () => boolean;
}

export interface DriverOutcome {
  issued: number;
  answered: number;
  timeouts: number;
  wallSeconds: number;
  /** Virtual time simulated, hours. */
  virtualHours: number;
}

/**
 * Drives the simulation: publishes the catalog, then runs `concurrentUsers` visit loops side by side.
 * Each loop takes the user whose next visit comes first, and steps its session: issue a request, wait
 * for its action (the user's next step waits on it), apply it, publish the feedback, until the user
 * leaves; then the user goes back to the scheduler with its next visit time. The catalog changes on
 * schedule (counted in issued requests). Stops after `requests` requests.
 */
export async function runSimulation(deps: DriverDependencies): Promise<DriverOutcome> {
  const { simulator, transport, ledger, options, logger, metrics } = deps;
  const { world, clock } = simulator;
  const started = Date.now();
  const limiter = new RateLimiter(options.requestsPerSecond);
  const scheduler = new VisitScheduler(world.users);
  let issued = 0;
  let latestVirtualTime = 0;
  const stopping = () => issued >= options.requests || (deps.shouldStop?.() ?? false);

  await transport.publishCatalog(world.catalog.items.map((item) => SimCatalog.toCatalogItem(item, clock.publish(0, 0))));
  logger?.info({ items: world.catalog.size, categories: world.catalog.categories.length }, 'catalog published');

  /** Applies the catalog changes due before request `requestIndex` is issued, and publishes them. */
  const publishCatalogChange = async (requestIndex: number, now: number): Promise<void> => {
    const change = world.churn.advance(requestIndex + 1, now);
    if (change === null || change.changed.length === 0) return;
    // New items are visible from this request on: the ledger's new-versus-old comparison starts here.
    for (const item of change.changed) if (item.arrivedAtRequest !== null) ledger.noteNewItem(item.category.name, requestIndex);
    metrics?.catalogChanges.inc({ kind: 'stockout' }, change.stockouts);
    metrics?.catalogChanges.inc({ kind: 'restock' }, change.restocks);
    metrics?.catalogChanges.inc({ kind: 'arrival' }, change.arrivals);
    const publishedAt = clock.publish(now, 0);
    await transport.publishCatalog(change.changed.map((item: SimItem) => SimCatalog.toCatalogItem(item, publishedAt)));
    logger?.debug({ atRequest: requestIndex, ...change, changed: change.changed.length }, 'catalog changed');
  };

  const runStep = async (visit: Visit): Promise<boolean> => {
    const requestIndex = issued;
    issued += 1;
    await publishCatalogChange(requestIndex, visit.now);
    await limiter.take();
    const prepared = simulator.prepareRequest(visit, requestIndex);
    latestVirtualTime = Math.max(latestVirtualTime, prepared.virtualTime);
    metrics?.inFlight.inc();
    const stopTimer = metrics?.actionLatency.startTimer();
    const action = await transport.requestAction(prepared.request, options.actionTimeoutMs);
    metrics?.inFlight.dec();
    if (action === null) {
      ledger.recordTimeout();
      metrics?.timeouts.inc();
    } else {
      stopTimer?.();
    }
    const result = simulator.applyAction(visit, prepared, action);
    await transport.publishFeedback(result.feedback);
    metrics?.countFeedback(result.feedback.map((event) => event.type));
    metrics?.countRejected(result.rejected);
    if (result.record !== null) {
      ledger.recordRequest(result.record);
      metrics?.requests.inc({ policy: result.record.policy });
      metrics?.reward.inc({ policy: result.record.policy }, result.record.reward);
      metrics?.oracleExpectedReward.inc({ policy: result.record.policy }, result.record.oracleExpectedReward);
    }
    return result.continues;
  };

  const visitLoop = async (): Promise<void> => {
    while (!stopping()) {
      const user = scheduler.pop();
      if (user === undefined) return;
      const visit = simulator.startVisit(user);
      let completed = false;
      while (!stopping()) {
        if (!(await runStep(visit))) {
          completed = true;
          break;
        }
      }
      ledger.recordSession(simulator.endVisit(visit, completed));
      scheduler.push(user);
    }
  };

  const progress = startProgress(ledger, options, logger, () => latestVirtualTime);
  try {
    const loops = Math.max(1, Math.min(options.concurrentUsers, world.users.length));
    await Promise.all(Array.from({ length: loops }, () => visitLoop()));
  } finally {
    progress.stop();
  }
  return {
    issued,
    answered: ledger.answered,
    timeouts: ledger.timeouts,
    wallSeconds: (Date.now() - started) / 1000,
    virtualHours: latestVirtualTime / 3_600_000,
  };
}

/** Logs progress every interval: requests done, rate, and recent reward per request per policy. */
function startProgress(
  ledger: SimulationLedger,
  options: DriverOptions,
  logger: Logger | undefined,
  virtualTime: () => number,
): { stop: () => void } {
  if (logger === undefined || options.progressIntervalMs <= 0) return { stop: () => undefined };
  let lastAnswered = 0;
  let lastTimeouts = 0;
  let lastAt = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const answered = ledger.answered;
    const timeouts = ledger.timeouts;
    const done = answered + timeouts;
    const rate = (done - lastAnswered - lastTimeouts) / Math.max(0.001, (now - lastAt) / 1000);
    const recent = Object.fromEntries(
      Object.entries(ledger.recent(lastAnswered)).map(([policy, summary]) => [
        policy,
        {
          rewardPerRequest: round(summary.rewardPerRequest),
          ctr: round(summary.ctr),
          oracleRewardPerRequest: round(summary.oracleRewardPerRequest),
        },
      ]),
    );
    if (options.progressFormat === 'text') {
      const policies = Object.entries(recent)
        .map(([policy, summary]) => `${policy} reward/request ${summary.rewardPerRequest.toFixed(3)} (oracle ${summary.oracleRewardPerRequest.toFixed(3)}), CTR ${(100 * summary.ctr).toFixed(2)}%`)
        .join('; ');
      process.stdout.write(`  ${done.toLocaleString('en-US')}/${options.requests.toLocaleString('en-US')} requests, ${Math.round(rate)}/s, timeouts ${timeouts}: ${policies || 'no answers yet'}\n`);
    }
    logger.info(
      {
        requests: done,
        of: options.requests,
        perSecond: Math.round(rate),
        timeouts,
        recentTimeouts: timeouts - lastTimeouts,
        virtualHours: round(virtualTime() / 3_600_000),
        recent,
      },
      'progress',
    );
    lastAnswered = answered;
    lastTimeouts = timeouts;
    lastAt = now;
  }, options.progressIntervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
