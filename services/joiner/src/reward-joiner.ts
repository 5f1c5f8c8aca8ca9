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
import { SweepFailure, SweepWatch } from './sweep-watch';
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

/** Most pending requests emitted per partition per batch (one batch: due, claim, load, states, send, mark). */
const SWEEP_LIMIT = 512;

/** How a final sweep ended: everything due emitted, stopped at its deadline (the rest stays pending in Redis), or failed. */
export type FinalSweepOutcome = 'done' | 'deadline' | 'failed';

/** Requests whose transitions were handed to the producer (or whose mark was started) and not settled yet. */
interface Unsettled {
  phase: 'send' | 'mark';
  requestIds: number;
  since: number;
}

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
  private readonly watch: SweepWatch;
  /** A batch whose send or mark ran past its bound and goes on unawaited (see emitDue); null when none. */
  private unsettled: Unsettled | null = null;
  /** Epoch ms after which sweeps start no new batch and bound their phases (the final sweep's budget). */
  private deadline = Number.POSITIVE_INFINITY;

  constructor(private readonly deps: RewardJoinerDeps) {
    this.now = deps.now ?? Date.now;
    const { config, metrics, logger } = deps;
    this.watch = new SweepWatch({ metrics, logger, slowPhaseMs: config.sweepSlowPhaseMs, phaseTimeoutMs: config.sweepPhaseTimeoutMs, stallMs: config.sweepStallMs });
  }

  /** The transitions partitions this joiner emits for: those of rec.actions.v1 assigned to it. */
  setOwnedPartitions(partitions: number[]): void {
    this.ownedPartitions = [...partitions].sort((a, b) => a - b);
    this.watch.owns(this.ownedPartitions.length);
  }

  /** The readiness check: false while partitions are owned and no sweep has completed for JOINER_SWEEP_STALL_MS. */
  sweepReady(): boolean {
    return this.watch.ready();
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

  /**
   * Emits every due request of the owned partitions. Never runs twice at once: a call during a sweep
   * returns that sweep. Every phase is bounded (JOINER_SWEEP_PHASE_TIMEOUT_MS), so a sweep ends, and a
   * failed one is counted and logged by the sweep watch before it rejects.
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOwned().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  /**
   * The shutdown's sweep, within `budgetMs`: waits for the sweep in progress, then sweeps once more (what
   * came due meanwhile), starting no batch and waiting on no phase past the budget. What it leaves stays
   * pending in Redis for the partitions' next owner. Never rejects.
   */
  async finalSweep(budgetMs: number): Promise<FinalSweepOutcome> {
    this.deadline = Date.now() + budgetMs;
    // A phase in progress keeps the bound it started with: wait for it no longer than the budget.
    const withinBudget = (sweep: Promise<void>) =>
      new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => resolve(false), Math.max(0, this.deadline - Date.now()));
        sweep.then(
          () => (clearTimeout(timer), resolve(Date.now() < this.deadline)),
          (error: unknown) => (clearTimeout(timer), reject(error)),
        );
      });
    try {
      if (this.sweeping !== null && !(await withinBudget(this.sweeping))) return 'deadline';
      return (await withinBudget(this.sweep())) ? 'done' : 'deadline';
    } catch {
      return 'failed';
    }
  }

  private async sweepOwned(): Promise<void> {
    const startedAt = Date.now();
    // The due cutoff is the sweep's start: what comes due while it runs waits for the next tick, so a sweep
    // ends under any rate of arrivals, and a busy partition cannot keep the next ones waiting.
    const dueBy = this.now();
    try {
      for (const partition of this.ownedPartitions) {
        let emitted = SWEEP_LIMIT;
        while (emitted === SWEEP_LIMIT && Date.now() < this.deadline) emitted = await this.emitDue(partition, dueBy);
      }
      if (Date.now() >= this.deadline) return;
      const owned = this.ownedPartitions;
      this.deps.metrics.pending.set(await this.watch.phase('count', { partitions: owned.length }, this.deps.pending.pendingCount(owned), { deadline: this.deadline }));
      this.watch.completed(startedAt);
    } catch (error) {
      this.watch.failed(error);
      throw error;
    }
  }

  /** Emits up to SWEEP_LIMIT requests of one partition due by `dueBy`; returns how many were taken off the queue. */
  private async emitDue(partition: number, dueBy: number): Promise<number> {
    const { pending, requestStates, catalog, producer, metrics, config } = this.deps;
    if (this.unsettled !== null) {
      // Sending again what an unacknowledged send carries would emit it twice, and sending more would only
      // queue behind it (one send in flight): fail until it settles (it then marks its requests itself).
      const { phase, requestIds, since } = this.unsettled;
      throw new SweepFailure(phase, `${requestIds} requests of an earlier batch still unsettled after ${Date.now() - since} ms; waiting for it`, true);
    }
    const bounded = { deadline: this.deadline };
    const context = { partition };
    const dueIds = await this.watch.phase('due', context, pending.due(partition, dueBy, SWEEP_LIMIT), bounded);
    if (dueIds.length === 0) return 0;
    const batch = { partition, requests: dueIds.length };
    // Claim first: feedback folded in after this is refused as after-emission, not lost with the hash.
    // Claiming, loading and reading states are idempotent: past their bound they may go on harmlessly.
    await this.watch.phase('claim', batch, pending.claimForEmission(dueIds), bounded);
    const loaded = await this.watch.phase('load', batch, pending.load(dueIds), bounded);
    const now = this.now();
    const wanted = [...new Set(loaded.flatMap((request) => (request === null ? [] : [request.requestId, request.nextRequestId ?? ''])))].filter((id) => id !== '');
    const recorded = await this.watch.phase('states', batch, requestStates.getMany(wanted), bounded);
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
    // The send and the mark that follows it are one chain that runs to its end even when a phase gives up
    // waiting for it: the requests are marked emitted only once their transitions are acknowledged, and
    // while the chain is unsettled no sweep takes them again (this.unsettled), so none is emitted twice by
    // this joiner nor lost; a failed send leaves them claimed and due, for the next sweep.
    const unsettled: Unsettled = { phase: 'send', requestIds: dueIds.length, since: Date.now() };
    const sent = producer.sendAll(this.deps.transitionsTopic, messages);
    const marked = sent.then(() => {
      unsettled.phase = 'mark';
      return Promise.all([pending.markEmitted(emittedIds, partition), pending.discard(discarded, partition)]);
    });
    this.unsettled = unsettled;
    const settle = () => {
      if (this.unsettled === unsettled) this.unsettled = null;
    };
    marked.then(settle, settle);
    await this.watch.phase('send', { ...batch, messages: messages.length }, sent, { ...bounded, detail: () => producer.backlog() });
    await this.watch.phase('mark', batch, marked, bounded);
    return dueIds.length;
  }
}
