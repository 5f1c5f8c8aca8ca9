import {
  codecs,
  formatHistoryEntry,
  type BatchingProducer,
  type ConsumedRecord,
  type LiveCatalog,
  type Logger,
  type PopularityStore,
  type RecommendationAction,
  type RequestStateStore,
  type UserFeedback,
} from '@rec/shared';
import type { JoinerConfig } from './config';
import type { JoinerMetrics } from './joiner-metrics';
import type { PendingRequestStore } from './pending-request-store';
import { rewardOf } from './reward-function';
import { buildTransitions } from './transition-builder';

export interface RewardJoinerDeps {
  config: JoinerConfig;
  pending: PendingRequestStore;
  requestStates: RequestStateStore;
  popularity: PopularityStore;
  catalog: LiveCatalog;
  producer: BatchingProducer;
  feedbackTopic: string;
  transitionsTopic: string;
  metrics: JoinerMetrics;
  logger: Logger;
  now?: () => number;
}

/** Most pending requests emitted per partition per sweep. */
const SWEEP_LIMIT = 512;

/**
 * The joiner's role. Actions and feedback are folded into pending requests in Redis (each step atomic
 * and idempotent, so redelivery after a crash neither loses nor doubles anything); a sweep emits a
 * request's transitions once they are due: `joinWaitMs` after the user's next request fixed the next
 * state, or at the session timeout (done). Waits are measured on arrival times (Kafka record timestamps),
 * whatever clock the platform stamps its events with; event timestamps go into the user's history.
 */
export class RewardJoiner {
  private readonly now: () => number;
  private ownedPartitions: number[] = [];
  private sweeping: Promise<void> | null = null;

  constructor(private readonly deps: RewardJoinerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The transitions partitions this joiner emits for: those of rec.actions.v1 assigned to it. */
  setOwnedPartitions(partitions: number[]): void {
    this.ownedPartitions = [...partitions].sort((a, b) => a - b);
  }

  get partitions(): readonly number[] {
    return this.ownedPartitions;
  }

  async handle(records: ConsumedRecord<RecommendationAction | UserFeedback>[]): Promise<void> {
    if (records.length === 0) return;
    if (records[0].topic === this.deps.feedbackTopic) {
      await this.foldFeedback(records as ConsumedRecord<UserFeedback>[]);
    } else {
      await this.recordActions(records as ConsumedRecord<RecommendationAction>[]);
    }
  }

  private async recordActions(records: ConsumedRecord<RecommendationAction>[]): Promise<void> {
    const { pending, config, metrics } = this.deps;
    // Issued in order without awaiting in between: Redis runs them in order, so within a chunk each
    // request sees its predecessor as the user's last request.
    const recorded = await Promise.all(
      records.map(({ value: action, partition, timestamp }) =>
        pending.recordAction(
          {
            requestId: action.requestId,
            userId: action.userId,
            servedAt: timestamp,
            modelVersion: action.modelVersion,
            items: action.items.map(({ itemId, position, propensity }) => ({ itemId, position, propensity })),
          },
          partition,
          this.now() + config.sessionTimeoutMs,
        ),
      ),
    );
    const links: Promise<boolean>[] = [];
    recorded.forEach((previous, index) => {
      const { value: action, partition } = records[index];
      if (previous === null) {
        metrics.duplicateActions.inc();
        return;
      }
      if (previous !== '') links.push(pending.linkNext(previous, action.requestId, partition, this.now() + config.joinWaitMs));
    });
    await Promise.all(links);
  }

  private async foldFeedback(records: ConsumedRecord<UserFeedback>[]): Promise<void> {
    const { pending, config, metrics, popularity } = this.deps;
    const reward = { weights: config.rewardWeights, valueWeight: config.rewardValueWeight };
    const outcomes = await Promise.all(
      records.map(({ value: feedback, timestamp }) =>
        pending.applyFeedback({
          eventId: feedback.eventId,
          userId: feedback.userId,
          requestId: feedback.requestId,
          itemId: feedback.itemId,
          historyEntry: formatHistoryEntry(feedback),
          reward: rewardOf(feedback, reward),
          impression: feedback.type === 'IMPRESSION',
          arrivedAt: timestamp,
        }),
      ),
    );
    const clicks: { itemId: string; timestamp: number }[] = [];
    outcomes.forEach((outcome, index) => {
      const feedback = records[index].value;
      metrics.countFeedback(outcome, feedback.type, rewardOf(feedback, reward));
      if (outcome !== 'duplicate' && feedback.type === 'CLICK') clicks.push({ itemId: feedback.itemId, timestamp: records[index].timestamp });
    });
    await popularity.countClicks(clicks);
  }

  /** Emits every due request of the owned partitions. Never runs twice at once. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOwned().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOwned(): Promise<void> {
    for (const partition of this.ownedPartitions) {
      let emitted = SWEEP_LIMIT;
      while (emitted === SWEEP_LIMIT) emitted = await this.emitDue(partition);
    }
    this.deps.metrics.pending.set(await this.deps.pending.pendingCount(this.ownedPartitions));
  }

  /** Emits up to SWEEP_LIMIT due requests of one partition; returns how many were taken off the queue. */
  private async emitDue(partition: number): Promise<number> {
    const { pending, requestStates, catalog, producer, metrics, config } = this.deps;
    const now = this.now();
    const dueIds = await pending.due(partition, now, SWEEP_LIMIT);
    if (dueIds.length === 0) return 0;
    // Claim first: feedback folded in after this is refused as after-emission, not lost with the hash.
    await pending.claimForEmission(dueIds);
    const loaded = await pending.load(dueIds);
    const wanted = [...new Set(loaded.flatMap((request) => (request === null ? [] : [request.requestId, request.nextRequestId ?? ''])))].filter((id) => id !== '');
    const recorded = await requestStates.getMany(wanted);
    const recordOf = new Map(wanted.map((id, index) => [id, recorded[index]]));

    const emittedIds: string[] = [];
    const discarded: string[] = [];
    const messages = [];
    for (const [index, request] of loaded.entries()) {
      if (request === null) {
        metrics.dropped.inc({ reason: 'no-action' });
        discarded.push(dueIds[index]);
        continue;
      }
      const current = recordOf.get(request.requestId) ?? null;
      const next = request.nextRequestId === null ? null : (recordOf.get(request.nextRequestId) ?? null);
      if (current === null || (request.nextRequestId !== null && next === null)) {
        metrics.dropped.inc({ reason: 'missing-state' });
        discarded.push(request.requestId);
        continue;
      }
      // A next request after a gap longer than the session timeout (on the platform's clock) starts a new session.
      const sameSession = next !== null && next.requestTimestamp - current.requestTimestamp <= config.sessionTimeoutMs;
      const nextStep = sameSession && request.nextRequestId !== null ? { requestId: request.nextRequestId, state: next.state } : null;
      const transitions = buildTransitions(request, current.state, nextStep, catalog, { requireImpression: config.requireImpression, now });
      for (const transition of transitions) {
        messages.push({ key: transition.userId, value: codecs.transition.encode(transition) });
        metrics.transitions.inc({ done: String(transition.done) });
      }
      metrics.joinWait.observe(Math.max(0, now - request.servedAt) / 1000);
      emittedIds.push(request.requestId);
    }
    await producer.sendAll(this.deps.transitionsTopic, messages);
    await Promise.all([pending.markEmitted(emittedIds, partition), pending.discard(discarded, partition)]);
    return dueIds.length;
  }
}
