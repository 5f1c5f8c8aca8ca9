import {
  codecs,
  encodeState,
  formatHistoryEntry,
  organicRequestOf,
  type BatchingProducer,
  type ConsumedRecord,
  type LiveCatalog,
  type Logger,
  type PopularityStore,
  type RecommendationAction,
  type RequestStateStore,
  type UserFeedback,
  type UserHistoryStore,
} from '@rec/shared';
import type { JoinerConfig } from './config';
import type { JoinerMetrics } from './joiner-metrics';
import { buildOrganicTransitions } from './organic-transitions';
import type { PendingRequestStore, SuccessorLink } from './pending-request-store';
import { rewardOf } from './reward-function';
import { SweepFailure, SweepWatch } from './sweep-watch';
import { buildTransitions } from './transition-builder';

export interface RewardJoinerDeps {
  config: JoinerConfig;
  pending: PendingRequestStore;
  requestStates: RequestStateStore;
  popularity: PopularityStore;
  /** Users' histories, read for the state of an organic click (JOINER_ORGANIC_NEGATIVES > 0). */
  histories: UserHistoryStore;
  catalog: LiveCatalog;
  producer: BatchingProducer;
  feedbackTopic: string;
  transitionsTopic: string;
  metrics: JoinerMetrics;
  logger: Logger;
  now?: () => number;
}

/** Most pending requests emitted per partition per batch (one batch: due, claim, states, send, mark). */
const SWEEP_LIMIT = 512;

/** How a final sweep ended: everything due emitted, stopped at its deadline (the rest stays pending in Redis), or failed. */
export type FinalSweepOutcome = 'done' | 'deadline' | 'failed';

/** A batch whose transitions were handed to the producer (or whose mark was started) and is not settled yet. */
interface Unsettled {
  phase: 'send' | 'mark';
  requestIds: readonly string[];
  since: number;
  /** The sweep that sent it. */
  sweep: number;
}

/** One batch of a partition, claimed and read, its transitions encoded, ready to send. */
interface PreparedBatch {
  partition: number;
  /** Every requestId taken off the due queue for this batch. */
  requestIds: string[];
  emitted: string[];
  discarded: string[];
  messages: { key: string; value: Buffer }[];
}

/** An organic click of a feedback chunk: its index in the chunk and the user's state just before it. */
interface OrganicClick {
  index: number;
  click: UserFeedback;
  /** The feedback record's Kafka timestamp. */
  arrivedAt: number;
  state: Buffer;
}

/** Lets the partitions of one sweep stop starting batches once one of them failed. */
interface SweepRun {
  id: number;
  dueBy: number;
  failed: boolean;
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
  /** Batches whose send and mark have not settled (see sendBatch). */
  private readonly unsettled = new Set<Unsettled>();
  private sweepCount = 0;
  /** Per owned partition, when its oldest due request fell due (this.now() clock), as the sweep last saw it. */
  private readonly oldestDueAt = new Map<number, number>();
  /** Epoch ms after which sweeps start no new batch and bound their phases (the final sweep's budget). */
  private deadline = Number.POSITIVE_INFINITY;

  constructor(private readonly deps: RewardJoinerDeps) {
    this.now = deps.now ?? Date.now;
    const { config, metrics, logger } = deps;
    this.watch = new SweepWatch({ metrics, logger, slowPhaseMs: config.sweepSlowPhaseMs, phaseTimeoutMs: config.sweepPhaseTimeoutMs, stallMs: config.sweepStallMs });
    metrics.readOldestDueAgeFrom(() => (this.oldestDueAgeMs() ?? 0) / 1000);
  }

  /** How long the oldest due request of the owned partitions has been due, as the sweep last saw it; null when none is. */
  oldestDueAgeMs(): number | null {
    if (this.oldestDueAt.size === 0) return null;
    return Math.max(0, this.now() - Math.min(...this.oldestDueAt.values()));
  }

  /** The transitions partitions this joiner emits for: those of rec.actions.v1 assigned to it. */
  setOwnedPartitions(partitions: number[]): void {
    this.ownedPartitions = [...partitions].sort((a, b) => a - b);
    for (const partition of this.oldestDueAt.keys()) if (!this.ownedPartitions.includes(partition)) this.oldestDueAt.delete(partition);
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

  /**
   * Records the chunk's actions in order, then links each to the user's request it succeeds, making that
   * one due after the join wait. A duplicate is counted and linked too: when a chunk is retried after its
   * actions were recorded but before their links (a reply lost on a Redis error), the retry makes the links.
   */
  private async recordActions(records: ConsumedRecord<RecommendationAction>[]): Promise<void> {
    const { pending, config, metrics } = this.deps;
    const dueAt = this.now() + config.sessionTimeoutMs;
    const recorded = await pending.recordActions(
      records.map(({ value: action, partition, timestamp }) => ({
        requestId: action.requestId,
        userId: action.userId,
        servedAt: timestamp,
        modelVersion: action.modelVersion,
        items: action.items.map(({ itemId, position, propensity }) => ({ itemId, position, propensity })),
        partition,
        dueAt,
      })),
    );
    const linkDueAt = this.now() + config.joinWaitMs;
    const links: SuccessorLink[] = [];
    recorded.forEach(({ duplicate, previous }, index) => {
      const { value: action, partition } = records[index];
      if (duplicate) metrics.duplicateActions.inc();
      if (previous !== '') links.push({ requestId: previous, nextRequestId: action.requestId, partition, dueAt: linkDueAt });
    });
    await pending.linkNextRequests(links);
  }

  private async foldFeedback(records: ConsumedRecord<UserFeedback>[]): Promise<void> {
    const { pending, config, metrics, popularity } = this.deps;
    const reward = { weights: config.rewardWeights, valueWeight: config.rewardValueWeight };
    const rewards = records.map(({ value: feedback }) => rewardOf(feedback, reward));
    // Organic clicks' states are read before the fold appends the clicks to the users' histories.
    const organic = await this.organicClickStates(records);
    const outcomes = await pending.applyFeedbackEvents(
      records.map(({ value: feedback, timestamp }, index) => ({
        eventId: feedback.eventId,
        userId: feedback.userId,
        requestId: feedback.requestId,
        itemId: feedback.itemId,
        historyEntry: formatHistoryEntry(feedback),
        reward: rewards[index],
        impression: feedback.type === 'IMPRESSION',
        arrivedAt: timestamp,
      })),
    );
    const clicks: { itemId: string; timestamp: number }[] = [];
    outcomes.forEach((outcome, index) => {
      const feedback = records[index].value;
      metrics.countFeedback(outcome, feedback.type, rewards[index]);
      if (outcome !== 'duplicate' && feedback.type === 'CLICK') clicks.push({ itemId: feedback.itemId, timestamp: records[index].timestamp });
    });
    await popularity.countClicks(clicks);
    await this.emitOrganicExamples(organic, outcomes, rewards);
  }

  /**
   * The organic clicks of a chunk (no requestId) with each user's state just before it, when organic
   * examples are on (JOINER_ORGANIC_NEGATIVES > 0, design decision 15): the chunk's index and the state
   * from the user's history as Redis holds it before this chunk is folded.
   */
  private async organicClickStates(records: ConsumedRecord<UserFeedback>[]): Promise<OrganicClick[]> {
    if (this.deps.config.organicNegatives === 0) return [];
    const indices = records.flatMap(({ value }, index) => (value.requestId === null && value.type === 'CLICK' ? [index] : []));
    if (indices.length === 0) return [];
    const histories = await this.deps.histories.readMany(indices.map((index) => records[index].value.userId));
    return indices.map((index, position) => {
      const state = encodeState(organicRequestOf(records[index].value), histories[position], this.deps.catalog.vectorOf);
      return { index, click: records[index].value, arrivedAt: records[index].timestamp, state: Buffer.from(state.buffer, state.byteOffset, state.byteLength) };
    });
  }

  /**
   * Sends the examples of the chunk's organic clicks before the chunk's offsets are committed. A click
   * folded before (outcome duplicate: a redelivery, perhaps of a chunk whose send failed) is sent again:
   * its transitions are the same, and the learner drops copies by transitionId.
   */
  private async emitOrganicExamples(organic: OrganicClick[], outcomes: readonly string[], rewards: readonly number[]): Promise<void> {
    if (organic.length === 0) return;
    const { config, catalog, metrics, producer, transitionsTopic } = this.deps;
    const now = this.now();
    const messages: { key: string; value: Buffer }[] = [];
    for (const { index, click, arrivedAt, state } of organic) {
      if (outcomes[index] !== 'organic' && outcomes[index] !== 'duplicate') continue;
      for (const transition of buildOrganicTransitions(click, state, catalog, { reward: rewards[index], negatives: config.organicNegatives, arrivedAt, now })) {
        messages.push({ key: transition.userId, value: codecs.transition.encode(transition) });
        metrics.organicExamples.inc({ reward: transition.reward > 0 ? 'positive' : 'zero' });
      }
    }
    await producer.sendAll(transitionsTopic, messages);
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
    const run: SweepRun = { id: (this.sweepCount += 1), dueBy: this.now(), failed: false };
    try {
      this.failWhileEarlierBatchesUnsettled(run);
      const queue = [...this.ownedPartitions];
      const sweepPartitions = async () => {
        for (let partition = queue.shift(); partition !== undefined && !run.failed; partition = queue.shift()) await this.sweepPartition(partition, run);
      };
      // Every partition's sweep ends (each phase is bounded) before this one does; a batch whose send or mark ran past
      // its bound goes on, and keeps later sweeps from starting (failWhileEarlierBatchesUnsettled) until it settles.
      const outcomes = await Promise.allSettled(Array.from({ length: Math.min(this.deps.config.sweepPartitionsConcurrently, queue.length) }, sweepPartitions));
      const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
      if (Date.now() >= this.deadline) return;
      const owned = this.ownedPartitions;
      const [count, earliest] = await this.watch.phase('count', { partitions: owned.length }, Promise.all([this.deps.pending.pendingCount(owned), this.deps.pending.earliestDue(owned)]), { deadline: this.deadline });
      this.deps.metrics.pending.set(count);
      const now = this.now();
      owned.forEach((partition, index) => this.noteOldestDue(partition, earliest[index] !== null && earliest[index] <= now ? earliest[index] : null));
      this.watch.completed(startedAt);
    } catch (error) {
      this.watch.failed(error);
      throw error;
    }
  }

  /**
   * A batch of an earlier sweep whose send or mark ran past its bound goes on unawaited. Sending again what
   * an unacknowledged send carries would emit it twice, and sending more would only queue behind it: fail
   * until it settles (it then marks its requests itself).
   */
  private failWhileEarlierBatchesUnsettled(run: SweepRun): void {
    for (const { phase, requestIds, since, sweep } of this.unsettled) {
      if (sweep === run.id) continue;
      throw new SweepFailure(phase, `${requestIds.length} requests of an earlier batch still unsettled after ${Date.now() - since} ms; waiting for it`, true);
    }
  }

  private noteOldestDue(partition: number, dueAt: number | null): void {
    if (dueAt === null) this.oldestDueAt.delete(partition);
    else this.oldestDueAt.set(partition, dueAt);
  }

  /**
   * Emits one partition's requests due by the sweep's start, oldest first, a batch at a time: while one
   * batch's send waits for the broker, the next is claimed, read and encoded (its due query skips what is
   * still in flight). Ends when nothing is left due, at the deadline, or when another partition's sweep
   * failed; on a failure it still waits for its batch in flight before it rejects.
   */
  private async sweepPartition(partition: number, run: SweepRun): Promise<void> {
    let inFlight: Promise<void> | null = null;
    // The requestIds of the batch in flight: still on the due queue until marked, so the next due query skips
    // them. Only this partition's sweep sends its batches, and a sweep starts only once every earlier batch settled.
    let inFlightIds: ReadonlySet<string> = new Set();
    try {
      while (!run.failed && Date.now() < this.deadline) {
        const batch = await this.prepareBatch(partition, run, inFlightIds);
        if (batch === null) break;
        if (inFlight !== null) await inFlight;
        inFlightIds = new Set(batch.requestIds);
        inFlight = this.sendBatch(batch, run);
        // Observed when awaited; this only keeps a failure from being reported unhandled meanwhile.
        inFlight.catch(() => undefined);
        if (batch.requestIds.length < SWEEP_LIMIT) break;
      }
      if (inFlight !== null) await inFlight;
    } catch (error) {
      run.failed = true;
      if (inFlight !== null) await inFlight.catch(() => undefined);
      throw error;
    }
  }

  /** Takes up to SWEEP_LIMIT due requests of one partition off its queue, claims and reads them and encodes their transitions; null when none is due. */
  private async prepareBatch(partition: number, run: SweepRun, inFlightIds: ReadonlySet<string>): Promise<PreparedBatch | null> {
    const { pending, requestStates, catalog, metrics, config } = this.deps;
    const bounded = { deadline: this.deadline };
    // The batch still in its send is due too: ask for enough to skip it.
    const due = await this.watch.phase('due', { partition }, pending.due(partition, run.dueBy, SWEEP_LIMIT + inFlightIds.size), bounded);
    this.noteOldestDue(partition, due.oldestDueAt);
    const requestIds = due.requestIds.filter((requestId) => !inFlightIds.has(requestId)).slice(0, SWEEP_LIMIT);
    if (requestIds.length === 0) {
      this.watch.dropped({ expired: due.expired, 'no-action': 0, 'missing-state': 0 }, { partition, oldestDueAgeMs: null });
      return null;
    }
    const batch = { partition, requests: requestIds.length };
    // Claim before reading, in one script: feedback folded in after this is refused as after-emission, not
    // lost with the hash. Claiming and reading states are idempotent: past their bound they may go on harmlessly.
    const loaded = await this.watch.phase('claim', batch, pending.claimAndLoad(requestIds), bounded);
    const now = this.now();
    const wanted = [...new Set(loaded.flatMap((request) => (request === null ? [] : [request.requestId, request.nextRequestId ?? ''])))].filter((id) => id !== '');
    const recorded = await this.watch.phase('states', batch, requestStates.getMany(wanted), bounded);
    const recordOf = new Map(wanted.map((id, index) => [id, recorded[index]]));

    const prepared: PreparedBatch = { partition, requestIds, emitted: [], discarded: [], messages: [] };
    let noAction = 0;
    let missingState = 0;
    for (const [index, request] of loaded.entries()) {
      if (request === null) {
        noAction += 1;
        prepared.discarded.push(requestIds[index]);
        continue;
      }
      const current = recordOf.get(request.requestId) ?? null;
      const next = request.nextRequestId === null ? null : (recordOf.get(request.nextRequestId) ?? null);
      if (current === null || (request.nextRequestId !== null && next === null)) {
        missingState += 1;
        prepared.discarded.push(request.requestId);
        continue;
      }
      // A next request after a gap longer than the session timeout (on the platform's clock) starts a new session.
      const sameSession = next !== null && next.requestTimestamp - current.requestTimestamp <= config.sessionTimeoutMs;
      const nextStep = sameSession && request.nextRequestId !== null ? { requestId: request.nextRequestId, state: next.state } : null;
      const transitions = buildTransitions(request, current.state, nextStep, catalog, { requireImpression: config.requireImpression, now });
      for (const transition of transitions) {
        prepared.messages.push({ key: transition.userId, value: codecs.transition.encode(transition) });
        metrics.transitions.inc({ done: String(transition.done) });
      }
      metrics.joinWait.observe(Math.max(0, now - request.servedAt) / 1000);
      prepared.emitted.push(request.requestId);
    }
    const dropContext = { partition, oldestDueAgeMs: due.oldestDueAt === null ? null : Math.max(0, now - due.oldestDueAt) };
    this.watch.dropped({ expired: due.expired, 'no-action': noAction, 'missing-state': missingState }, dropContext);
    return prepared;
  }

  /**
   * Sends a batch's transitions and then marks its requests emitted (and takes the discarded ones off the
   * queue): one chain that runs to its end even when a phase gives up waiting for it. The requests are marked
   * only once their transitions are acknowledged, and while the chain is unsettled its partition's next batch
   * skips them and no later sweep starts, so none is emitted twice by this joiner nor lost; a failed
   * send leaves them claimed and due, for the next sweep. Resolves when both phases did, within their bounds.
   */
  private async sendBatch(prepared: PreparedBatch, run: SweepRun): Promise<void> {
    const { pending, producer } = this.deps;
    const { partition, requestIds, emitted, discarded, messages } = prepared;
    const unsettled: Unsettled = { phase: 'send', requestIds, since: Date.now(), sweep: run.id };
    this.unsettled.add(unsettled);
    const sent = producer.sendAll(this.deps.transitionsTopic, messages);
    const marked = sent.then(() => {
      unsettled.phase = 'mark';
      return pending.markEmitted(emitted, discarded, partition);
    });
    const settle = () => void this.unsettled.delete(unsettled);
    marked.then(settle, settle);
    const bounded = { deadline: this.deadline };
    const batch = { partition, requests: requestIds.length };
    await this.watch.phase('send', { ...batch, messages: messages.length }, sent, { ...bounded, detail: () => producer.backlog() });
    await this.watch.phase('mark', batch, marked, bounded);
  }
}
