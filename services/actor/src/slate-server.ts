import {
  STATE_DIM,
  floatsToBytes,
  codecs,
  ValidationError,
  REDRIVEN_FROM_HEADER,
  type BatchingProducer,
  type ConsumedRecord,
  type DeadLetterPublisher,
  type LiveCatalog,
  type RecommendationAction,
  type RecommendationRequest,
  type RequestStateStore,
  type UserHistoryStore,
  type DecisionCounter,
  type Logger,
} from '@rec/shared';
import type { ActorMetrics } from './actor-metrics';
import { epsilonAt } from './epsilon-schedule';
import type { ScoringPolicy } from './scoring-policy';
import type { ExposureBonus } from './exposure-bonus';
import { SlateDecider } from './slate-decider';

export interface SlateServerDeps {
  policy: ScoringPolicy;
  catalog: LiveCatalog;
  histories: UserHistoryStore;
  requestStates: RequestStateStore;
  producer: BatchingProducer;
  deadLetters: DeadLetterPublisher;
  metrics: ActorMetrics;
  actionsTopic: string;
  epsilon: { start: number; end: number; decayDecisions: number };
  /** Maximal-marginal-relevance penalty of the greedy order (0: by score alone). */
  diversityPenalty: number;
  /** Count-based optimism of the greedy order for items served little (null: none; see ExposureBonus). */
  exposureBonus?: ExposureBonus | null;
  /** The model's decision count across actors: the epsilon schedule's clock. */
  decisions: DecisionCounter;
  random: () => number;
  /** Skip requests published longer ago than this (0: never). */
  maxRequestAgeMs: number;
  /** Log micro-batches with an answer slower than this (0: never). */
  slowAnswerLogMs: number;
  logger: Logger;
  /** How an action goes on the wire: plain Avro, or the Schema Registry format (default plain). */
  encodeAction?: (action: RecommendationAction) => Buffer;
  /** Told of every action once it is acknowledged (the explanation index). */
  onServed?: (actions: readonly RecommendationAction[]) => void;
  /** Whether this actor already has an acknowledged action for the requestId (default: never). */
  alreadyAnswered?: (requestId: string) => boolean;
  now?: () => number;
}

/**
 * The actor's role: a micro-batch of requests in, one action per request out. One forward pass scores
 * the whole batch against the whole available catalog; each slate is formed epsilon-greedily from the
 * request's own candidates (never an unavailable item, never one outside candidateItemIds, never the
 * item being viewed). The state of each request is recorded for the joiner before its action is
 * published. A request with no candidate left gets an empty slate and a dead-letter record.
 *
 * A request published more than maxRequestAgeMs ago (after an outage, or a backlog) is skipped and
 * counted rather than answered: the platform stopped waiting for it long ago, and an answer would only
 * be logged as a decision the user never saw, and chained by the joiner into the user's session.
 * Ages (and the slow-answer log) count from the request's Kafka record timestamp (when the platform
 * published it), not its `timestamp` field, which a platform may stamp with business or simulated time;
 * rec_actor_request_to_action_seconds counts from the `timestamp` field (the platform's clock).
 *
 * A request whose requestId this actor has already answered (an acknowledged action among its newest
 * ACTOR_EXPLAIN_RECENT), or that comes twice in one micro-batch, is not answered again: the platform has
 * its action. That happens when the group redelivers a batch whose offsets this actor could not commit
 * (a network stall longer than the session: the member rejoins and is handed the same offsets), or when a
 * platform publishes a request twice. Counted in rec_actor_repeated_requests_total. A repeat that reaches
 * another actor after a rebalance is still answered (at least once; the joiner keeps the first action),
 * and so is a request an operator redrove from the dead-letter topic (`rec dlq redrive`, its header).
 */
export class SlateServer {
  private readonly decider: SlateDecider;
  private readonly now: () => number;

  constructor(private readonly deps: SlateServerDeps) {
    this.now = deps.now ?? Date.now;
    this.decider = new SlateDecider(deps.policy, deps.catalog, deps.random, deps.diversityPenalty, deps.exposureBonus ?? null);
  }

  async serve(batchRecords: ConsumedRecord<RecommendationRequest>[]): Promise<void> {
    const { deps } = this;
    const startedAt = process.hrtime.bigint();
    const startedAtMs = this.now();
    const records = this.dropRepeated(this.dropStale(batchRecords, startedAtMs));
    if (records.length === 0) return;
    const requests = records.map((record) => record.value);
    const fixedEpsilon = deps.policy.fixedEpsilon();
    const [histories, decisionsBefore] = await Promise.all([
      deps.histories.readMany(requests.map((request) => request.userId)),
      fixedEpsilon === null ? deps.decisions.reserve(requests.length) : Promise.resolve(0),
    ]);
    const batch = requests.length;
    const { actions, states } = this.decider.decide(requests, histories, (index) => epsilonAt(decisionsBefore + index, deps.epsilon), Date.now());
    const modelVersion = deps.policy.modelVersion();

    const unservable: Promise<void>[] = [];
    actions.forEach((action, index) => {
      deps.metrics.recordDecision(deps.policy.name, action.items, action.epsilon);
      if (action.items.length === 0) {
        const record = records[index];
        unservable.push(
          deps.deadLetters.publish(
            { topic: record.topic, partition: record.partition, offset: record.offset, key: record.raw.key, value: record.raw.value, headers: record.raw.headers },
            new ValidationError(`no servable candidate for request ${action.requestId}`, 'no-candidates'),
          ),
        );
      }
    });

    // The joiner reads these states; they must be durable before anyone can see the actions.
    await deps.requestStates.putMany(
      requests.map((request, index) => ({
        requestId: request.requestId,
        requestTimestamp: request.timestamp,
        state: Buffer.from(floatsToBytes(states.subarray(index * STATE_DIM, (index + 1) * STATE_DIM))),
      })),
    );
    await Promise.all([
      deps.producer.sendAll(
        deps.actionsTopic,
        actions.map((action) => ({ key: action.userId, value: deps.encodeAction?.(action) ?? codecs.action.encode(action) })),
      ),
      ...unservable,
    ]);
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    deps.metrics.observeBatch(batch, seconds, modelVersion);
    deps.onServed?.(actions);
    deps.metrics.observeRequestToAction(requests.map((request) => request.timestamp), this.now());
    this.logIfSlow(records, startedAtMs, seconds);
  }

  /** The requests young enough to answer; the others are counted and skipped. */
  private dropStale(records: ConsumedRecord<RecommendationRequest>[], now: number): ConsumedRecord<RecommendationRequest>[] {
    const { maxRequestAgeMs } = this.deps;
    if (maxRequestAgeMs <= 0) return records;
    const fresh = records.filter((record) => now - record.timestamp <= maxRequestAgeMs);
    const stale = records.length - fresh.length;
    if (stale > 0) {
      this.deps.metrics.countStale(stale);
      const oldest = Math.min(...records.map((record) => record.timestamp));
      this.deps.logger.warn({ stale, oldestAgeMs: now - oldest, maxRequestAgeMs }, 'skipped requests older than the age limit');
    }
    return fresh;
  }

  /** The records whose requestId has no action from this actor yet, the first of each; the others are counted and skipped. */
  private dropRepeated(records: ConsumedRecord<RecommendationRequest>[]): ConsumedRecord<RecommendationRequest>[] {
    const alreadyAnswered = this.deps.alreadyAnswered ?? (() => false);
    const inBatch = new Set<string>();
    const first = records.filter((record) => {
      const { requestId } = record.value;
      // A redriven request (`rec dlq redrive`, after its cause was fixed) is answered again on purpose.
      const redriven = record.raw.headers?.[REDRIVEN_FROM_HEADER] !== undefined;
      if (inBatch.has(requestId) || (!redriven && alreadyAnswered(requestId))) return false;
      inBatch.add(requestId);
      return true;
    });
    const repeated = records.length - first.length;
    if (repeated > 0) {
      this.deps.metrics.countRepeated(repeated);
      this.deps.logger.info({ repeated, partition: records[0].partition, firstOffset: records[0].offset }, 'skipped requests this actor has already answered');
    }
    return first;
  }

  /**
   * Logs a micro-batch with an answer slower than slowAnswerLogMs (from the request's publication, its
   * record timestamp) with where the time went: before the actor had the batch, or in handling it.
   */
  private logIfSlow(records: ConsumedRecord<RecommendationRequest>[], startedAtMs: number, handlingSeconds: number): void {
    const answeredAt = this.now();
    const oldestPublished = Math.min(...records.map((record) => record.timestamp));
    const slowest = (answeredAt - oldestPublished) / 1000;
    if (this.deps.slowAnswerLogMs > 0 && slowest * 1000 > this.deps.slowAnswerLogMs) {
      const [first] = records;
      this.deps.logger.warn(
        {
          requests: records.length,
          partition: first.partition,
          firstOffset: first.offset,
          slowestSeconds: slowest,
          // Before the actor had the batch: in Kafka, in the fetch, behind earlier chunks or a retry.
          waitedBeforeHandlingSeconds: (startedAtMs - oldestPublished) / 1000,
          // Reading histories, scoring, writing states, producing the actions.
          handlingSeconds,
        },
        'slow answers',
      );
    }
  }
}
