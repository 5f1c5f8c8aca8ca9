import type { RecommendedItem, ServiceMetrics } from '@rec/shared';

/** The actor's operator-facing metrics (rec_actor_*). */
export class ActorMetrics {
  private readonly decisions;
  private readonly shownItems;
  private readonly exploredItems;
  private readonly emptySlates;
  private readonly decisionLatency;
  private readonly requestToAction;
  private readonly batchSize;
  private readonly modelVersion;
  private readonly epsilon;
  private readonly staleRequests;
  private readonly repeatedRequests;

  constructor(metrics: ServiceMetrics, backend: string) {
    this.decisions = metrics.counter('decisions_total', 'Requests answered with an action, by policy', ['policy']);
    this.shownItems = metrics.counter('slate_items_total', 'Items placed in slates, by policy', ['policy']);
    this.exploredItems = metrics.counter('explored_items_total', 'Slate items placed by exploration, by policy (explore ratio = this / slate_items_total)', ['policy']);
    this.emptySlates = metrics.counter('empty_slates_total', 'Requests with no servable candidate (also dead-lettered)', ['policy']);
    this.decisionLatency = metrics.histogram('decision_latency_seconds', 'From a micro-batch reaching the actor to its actions being acknowledged', [], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
    this.requestToAction = metrics.histogram(
      'request_to_action_seconds',
      "From the request's own timestamp (the platform's clock) to its action being acknowledged; requests stamped in the future are not counted",
      [],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
    this.batchSize = metrics.histogram('micro_batch_requests', 'Requests scored per forward pass', [], [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    this.modelVersion = metrics.modelVersion;
    this.epsilon = metrics.gauge('epsilon', 'Current exploration rate');
    this.staleRequests = metrics.counter('stale_requests_total', 'Requests skipped unanswered because they were published longer ago than ACTOR_MAX_REQUEST_AGE_MS');
    this.repeatedRequests = metrics.counter('repeated_requests_total', 'Requests not answered again because this actor already answered their requestId (a redelivered batch, or a request published twice)');
    metrics.recordTensorBackend(backend);
  }

  recordDecision(policy: string, slate: RecommendedItem[], epsilon: number): void {
    this.decisions.inc({ policy });
    this.shownItems.inc({ policy }, slate.length);
    const explored = slate.filter((item) => item.explored).length;
    if (explored > 0) this.exploredItems.inc({ policy }, explored);
    if (slate.length === 0) this.emptySlates.inc({ policy });
    this.epsilon.set(epsilon);
  }

  /** Request-to-action latency of acknowledged actions, from each request's timestamp to `nowMs`. */
  observeRequestToAction(requestTimestamps: readonly number[], nowMs: number): void {
    for (const timestamp of requestTimestamps) {
      const seconds = (nowMs - timestamp) / 1000;
      if (seconds >= 0) this.requestToAction.observe(seconds);
    }
  }

  countStale(requests: number): void {
    this.staleRequests.inc(requests);
  }

  countRepeated(requests: number): void {
    this.repeatedRequests.inc(requests);
  }

  observeBatch(requests: number, seconds: number, modelVersion: number): void {
    this.batchSize.observe(requests);
    for (let index = 0; index < requests; index += 1) this.decisionLatency.observe(seconds);
    this.modelVersion.set(modelVersion);
  }
}
