import type { ServiceMetrics } from '@rec/shared';
import type { FeedbackOutcome } from './pending-request-store';

/** The joiner's operator-facing metrics (rec_joiner_*). */
export class JoinerMetrics {
  readonly feedback;
  readonly rewards;
  readonly duplicateActions;
  readonly transitions;
  readonly organicExamples;
  readonly dropped;
  readonly joinWait;
  readonly pending;
  readonly sweepDuration;
  readonly sweepFailures;
  readonly slowSweepPhases;
  private sweepAge: () => number = () => 0;
  private oldestDueAge: () => number = () => 0;

  constructor(metrics: ServiceMetrics) {
    this.feedback = metrics.counter('feedback_total', 'Feedback events by outcome: counted, organic, duplicate, late, after-emission', ['outcome', 'type']);
    this.rewards = metrics.counter('rewards_total', 'Reward credited to recommendations, by feedback type', ['type']);
    this.duplicateActions = metrics.counter('duplicate_actions_total', 'Actions dropped because their requestId was seen');
    this.transitions = metrics.counter('transitions_total', 'Transitions emitted, by whether the session ended', ['done']);
    this.organicExamples = metrics.counter('organic_examples_total', 'Transitions made from organic clicks (JOINER_ORGANIC_NEGATIVES): the clicked item (positive) and random catalog items (zero)', ['reward']);
    this.dropped = metrics.counter('requests_dropped_total', 'Pending requests that could not become transitions, by reason', ['reason']);
    this.joinWait = metrics.histogram('join_wait_seconds', 'From serving a request to emitting its transitions', [], [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]);
    this.pending = metrics.gauge('pending_requests', 'Requests waiting for their transitions to be emitted (this joiner\'s partitions)');
    this.sweepDuration = metrics.histogram('sweep_duration_seconds', 'Completed sweeps: from start to every due request of the owned partitions emitted', [], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]);
    this.sweepFailures = metrics.counter('sweep_failures_total', 'Sweeps that failed (the next tick retries), by the phase that failed or ran past JOINER_SWEEP_PHASE_TIMEOUT_MS', ['phase']);
    this.slowSweepPhases = metrics.counter('sweep_slow_phases_total', 'Sweep phases still running after JOINER_SWEEP_SLOW_PHASE_MS, by phase', ['phase']);
    // Read at scrape time: the sweep updates the oldest due time of each partition with every batch it takes.
    metrics.gauge('oldest_due_age_seconds', "How long the oldest due request of this joiner's partitions has been due and not emitted (0 when none is): alert when it nears the request states' lifetime (ACTOR_REQUEST_STATE_TTL_MS), past which requests are dropped as missing-state", [], (gauge) => gauge.set(this.oldestDueAge()));
    // Read at scrape time, so it keeps rising while a sweep hangs (a histogram only sees sweeps that end).
    metrics.gauge('seconds_since_sweep', 'Seconds since this joiner last completed a sweep of the partitions it owns (0 while it owns none): alert when it stays above a minute', [], (gauge) => gauge.set(this.sweepAge()));
  }

  /** Where rec_joiner_seconds_since_sweep reads its value at each scrape. */
  readSweepAgeFrom(sweepAge: () => number): void {
    this.sweepAge = sweepAge;
  }

  /** Where rec_joiner_oldest_due_age_seconds reads its value at each scrape. */
  readOldestDueAgeFrom(oldestDueAge: () => number): void {
    this.oldestDueAge = oldestDueAge;
  }

  countFeedback(outcome: FeedbackOutcome, type: string, reward: number): void {
    this.feedback.inc({ outcome, type });
    if (outcome === 'counted' && reward !== 0) this.rewards.inc({ type }, reward);
  }
}
