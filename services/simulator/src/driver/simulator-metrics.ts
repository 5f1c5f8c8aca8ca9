import type { FeedbackType, ServiceMetrics } from '@rec/shared';
import type { Counter, Gauge, Histogram } from '@rec/shared';
import type { RejectedItems } from './session-simulator';

/** The simulator's own Prometheus metrics (rec_simulator_...), on the service registry. */
export class SimulatorMetrics {
  readonly requests: Counter<'policy'>;
  readonly timeouts: Counter;
  readonly lateActions: Counter;
  readonly duplicateActions: Counter;
  readonly invalidActions: Counter<'reason'>;
  readonly rejectedItems: Counter<'reason'>;
  readonly feedbackEvents: Counter<'type'>;
  readonly reward: Counter<'policy'>;
  readonly oracleExpectedReward: Counter<'policy'>;
  readonly catalogChanges: Counter<'kind'>;
  readonly actionLatency: Histogram;
  readonly inFlight: Gauge;

  constructor(metrics: ServiceMetrics) {
    this.requests = metrics.counter('requests_total', 'Requests answered by an action, by the action policy', ['policy']);
    this.timeouts = metrics.counter('action_timeouts_total', 'Requests that got no action within SIM_ACTION_TIMEOUT_MS');
    this.lateActions = metrics.counter('late_actions_total', 'Actions that arrived after their request timed out');
    this.duplicateActions = metrics.counter('duplicate_actions_total', 'Second and later actions for the same requestId');
    this.invalidActions = metrics.counter('invalid_actions_total', 'Actions that could not be decoded or validated', ['reason']);
    this.rejectedItems = metrics.counter(
      'rejected_items_total',
      'Served items the platform did not show: unknown, unavailable, duplicate, beyond-slate-size',
      ['reason'],
    );
    this.feedbackEvents = metrics.counter('feedback_events_total', 'Feedback events published, by type', ['type']);
    this.reward = metrics.counter('reward_total', 'Realised reward of answered requests, by policy', ['policy']);
    this.oracleExpectedReward = metrics.counter(
      'oracle_expected_reward_total',
      "The oracle's expected reward on the same requests, by the serving policy",
      ['policy'],
    );
    this.catalogChanges = metrics.counter('catalog_changes_total', 'Catalog changes published: stockout, restock, arrival', ['kind']);
    this.actionLatency = metrics.histogram(
      'action_latency_seconds',
      'Wall time from publishing a request to receiving its action',
      [],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
    this.inFlight = metrics.gauge('in_flight_requests', 'Requests published and not yet answered or timed out');
  }

  countRejected(rejected: RejectedItems): void {
    if (rejected.unknown > 0) this.rejectedItems.inc({ reason: 'unknown' }, rejected.unknown);
    if (rejected.unavailable > 0) this.rejectedItems.inc({ reason: 'unavailable' }, rejected.unavailable);
    if (rejected.duplicate > 0) this.rejectedItems.inc({ reason: 'duplicate' }, rejected.duplicate);
    if (rejected.beyondSlateSize > 0) this.rejectedItems.inc({ reason: 'beyond-slate-size' }, rejected.beyondSlateSize);
  }

  countFeedback(types: readonly FeedbackType[]): void {
    for (const type of types) this.feedbackEvents.inc({ type });
  }
}
