import type { Logger } from '@rec/shared';
import type { JoinerMetrics } from './joiner-metrics';

/**
 * The steps of a sweep, as metrics and logs name them: one batch is due, claim (claims and reads the pending
 * requests in one script), states, send, mark; count ends the sweep.
 */
export type SweepPhase = 'due' | 'claim' | 'states' | 'send' | 'mark' | 'count';

/**
 * Why a due request could not become transitions: its action never came (or its pending hash expired), its
 * (or its successor's) state expired, or it waited on its due queue past any pending hash's lifetime.
 */
export type DropReason = 'no-action' | 'missing-state' | 'expired';

/** Why a sweep failed, naming the phase; `timedOut` when the phase was still running at its bound (its work goes on, unawaited). */
export class SweepFailure extends Error {
  constructor(
    readonly phase: SweepPhase,
    message: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(`sweep phase '${phase}': ${message}`, options);
    this.name = 'SweepFailure';
  }
}

export interface SweepWatchOptions {
  metrics: JoinerMetrics;
  logger: Logger;
  /** A phase still running after this long is logged as a warning, while it runs (JOINER_SWEEP_SLOW_PHASE_MS). */
  slowPhaseMs: number;
  /** A phase still running after this long fails the sweep (JOINER_SWEEP_PHASE_TIMEOUT_MS). */
  phaseTimeoutMs: number;
  /** Readiness fails when no sweep has completed for this long while partitions are owned (JOINER_SWEEP_STALL_MS). */
  stallMs: number;
}

/** A failing sweep is retried every tick (5 a second by default): its warning is logged at most this often, with a count. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * Watches the joiner's sweeps, which run one at a time: a sweep that hangs holds every later one behind it,
 * and the joiner then emits nothing while it goes on consuming, with no error anywhere (a soak showed
 * three silent minutes). So each phase is timed: a slow one is logged while it still runs, naming the
 * phase; one past its bound fails the sweep, so that the next tick starts a fresh one; and the age of the
 * last completed sweep is a metric (rec_joiner_seconds_since_sweep) and a readiness check. The clock is the
 * process's own (Date.now), whatever clock the joiner's due times use.
 */
export class SweepWatch {
  /** When the last sweep completed, or when this joiner started owning partitions if later. */
  private lastCompletedAt = Date.now();
  private owning = false;
  private lastFailureLoggedAt = Number.NEGATIVE_INFINITY;
  private failuresNotLogged = 0;
  private lastDropLoggedAt = Number.NEGATIVE_INFINITY;
  private dropsNotLogged = 0;

  constructor(private readonly options: SweepWatchOptions) {
    options.metrics.readSweepAgeFrom(() => this.stalledMs() / 1000);
  }

  /**
   * The partitions owned changed. Gaining partitions after owning none starts the stall clock afresh (a
   * joiner that just joined has not stalled); a rebalance while owning some does not reset it, so it
   * cannot hide a sweep that hangs.
   */
  owns(partitionCount: number): void {
    const owning = partitionCount > 0;
    if (owning && !this.owning) this.lastCompletedAt = Date.now();
    this.owning = owning;
  }

  /** How long no sweep has completed while partitions are owned; 0 while none are. */
  stalledMs(): number {
    return this.owning ? Math.max(0, Date.now() - this.lastCompletedAt) : 0;
  }

  /** The readiness check: false while partitions are owned and no sweep has completed for JOINER_SWEEP_STALL_MS. */
  ready(): boolean {
    return this.stalledMs() <= this.options.stallMs;
  }

  completed(startedAt: number): void {
    const now = Date.now();
    this.lastCompletedAt = now;
    this.options.metrics.sweepDuration.observe((now - startedAt) / 1000);
  }

  /** Counts a failed sweep by phase and logs it, at most once per FAILURE_LOG_INTERVAL_MS (with how many were not logged). */
  failed(error: unknown): void {
    const phase = error instanceof SweepFailure ? error.phase : 'unknown';
    this.options.metrics.sweepFailures.inc({ phase });
    const now = Date.now();
    if (now - this.lastFailureLoggedAt < FAILURE_LOG_INTERVAL_MS) {
      this.failuresNotLogged += 1;
      return;
    }
    this.options.logger.warn(
      { err: error, phase, timedOut: error instanceof SweepFailure && error.timedOut, failuresNotLogged: this.failuresNotLogged, stalledMs: this.stalledMs() },
      'sweep failed; retrying next tick',
    );
    this.lastFailureLoggedAt = now;
    this.failuresNotLogged = 0;
  }

  /**
   * Counts requests a batch could not emit (rec_joiner_requests_dropped_total{reason}). Missing state and
   * expired mean the sweep reached them too late, after the actor's state (ACTOR_REQUEST_STATE_TTL_MS) or the
   * pending request itself had expired: the joiner fell behind and lost them, so these are also logged as a
   * warning, at most once per FAILURE_LOG_INTERVAL_MS with how many were dropped since the last line, and
   * how long the oldest due request had been due.
   */
  dropped(counts: Record<DropReason, number>, context: { partition: number; oldestDueAgeMs: number | null }): void {
    let lost = 0;
    for (const [reason, count] of Object.entries(counts) as [DropReason, number][]) {
      if (count === 0) continue;
      this.options.metrics.dropped.inc({ reason }, count);
      if (reason !== 'no-action') lost += count;
    }
    if (lost === 0) return;
    this.dropsNotLogged += lost;
    const now = Date.now();
    if (now - this.lastDropLoggedAt < FAILURE_LOG_INTERVAL_MS) return;
    this.options.logger.warn(
      { dropped: this.dropsNotLogged, sinceMs: Number.isFinite(this.lastDropLoggedAt) ? now - this.lastDropLoggedAt : null, ...context },
      'requests dropped: the sweep reached them after their state or pending request expired (the joiner is behind)',
    );
    this.lastDropLoggedAt = now;
    this.dropsNotLogged = 0;
  }

  /**
   * Awaits one phase of a sweep, bounded: a warning once it has run JOINER_SWEEP_SLOW_PHASE_MS (with
   * `detail()`, e.g. the producer's backlog), a SweepFailure once it has run JOINER_SWEEP_PHASE_TIMEOUT_MS
   * or until `deadline` (epoch ms), whichever is sooner. A failure of the work itself becomes a SweepFailure
   * naming the phase. The work is not cancelled at the bound: the caller must leave it safe to go on.
   */
  async phase<T>(phase: SweepPhase, context: Record<string, unknown>, work: Promise<T>, options: { deadline?: number; detail?: () => Record<string, unknown> } = {}): Promise<T> {
    const { logger, metrics, slowPhaseMs, phaseTimeoutMs } = this.options;
    const startedAt = Date.now();
    const boundMs = Math.max(0, Math.min(phaseTimeoutMs, (options.deadline ?? Number.POSITIVE_INFINITY) - startedAt));
    let slow = false;
    let slowTimer: NodeJS.Timeout | undefined;
    let boundTimer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        slowTimer = setTimeout(() => {
          slow = true;
          metrics.slowSweepPhases.inc({ phase });
          logger.warn({ phase, ...context, runningMs: Date.now() - startedAt, failsAfterMs: boundMs, ...options.detail?.() }, 'sweep phase slow; still waiting');
        }, slowPhaseMs);
        boundTimer = setTimeout(() => reject(new SweepFailure(phase, `still running after ${Date.now() - startedAt} ms`, true)), boundMs);
        work.then(resolve, (error: unknown) => reject(new SweepFailure(phase, error instanceof Error ? error.message : String(error), false, { cause: error })));
      });
    } finally {
      clearTimeout(slowTimer);
      clearTimeout(boundTimer);
      if (slow) logger.warn({ phase, ...context, ms: Date.now() - startedAt }, 'slow sweep phase ended');
    }
  }
}
