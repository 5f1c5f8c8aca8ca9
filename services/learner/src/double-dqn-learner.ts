import { randomUUID } from 'node:crypto';
import {
  checksumOf,
  codecs,
  floatsToBytes,
  isRowSparse,
  packRowSparse,
  type BatchingProducer,
  type ConsumedRecord,
  type LiveCatalog,
  type Logger,
  type ReceivedWeights,
  type Transition,
} from '@rec/shared';
import type { QNetwork } from '@rec/shared/model';
import type { LearnerConfig } from './config';
import { takeGradientStep } from './gradient-step';
import type { LearnerMetrics } from './learner-metrics';
import type { NStepAssembler, ReturnTransition } from './n-step-assembler';
import type { OwnUpdateLookahead } from './own-update-lookahead';
import type { ReplayBuffer } from './replay-buffer';
import type { SamplesPerInsertLimiter } from './samples-per-insert-limiter';
import { WeightsFreshnessGate } from './weights-freshness-gate';
import { TargetCandidates } from './target-candidates';

export interface LearnerDeps {
  config: LearnerConfig;
  online: QNetwork;
  target: QNetwork;
  replay: ReplayBuffer;
  /** Turns the one-step stream into n-step returns (passes it through when n = 1). */
  returns: NStepAssembler;
  limiter: SamplesPerInsertLimiter;
  catalog: LiveCatalog;
  producer: BatchingProducer;
  updatesTopic: string;
  learnerId: string;
  metrics: LearnerMetrics;
  logger: Logger;
  random: () => number;
  /** Applies this learner's own updates to `online` ahead of the broadcast (null: LEARNER_LOOKAHEAD=false). */
  lookahead: OwnUpdateLookahead | null;
}

/** How many recent transitionIds are remembered to drop duplicates (at-least-once upstream). */
const DEDUP_WINDOW = 200_000;

/**
 * The learner's role: transitions in (into replay), gradients out. Each step samples a batch, computes
 * the Double-DQN gradient on the weights last broadcast by the parameter server (plus, looking ahead, its own
 * updates the broadcast does not hold yet: OwnUpdateLookahead), and sends it with the version it was
 * computed on and its sequence; the parameter server owns the optimizer, the version and the target sync.
 */
export class DoubleDqnLearner {
  private onlineVersion = -1;
  private hasTarget = false;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly recentIds = new Set<string>();
  /** Ring of the remembered ids, oldest overwritten first. */
  private readonly recentOrder: (string | undefined)[] = new Array(DEDUP_WINDOW);
  private recentNext = 0;
  private readonly targetCandidates: TargetCandidates;
  private readonly inFlight = new Set<Promise<void>>();
  private staleTimer: NodeJS.Timeout | null = null;
  private readonly freshness: WeightsFreshnessGate;

  constructor(private readonly deps: LearnerDeps) {
    this.freshness = new WeightsFreshnessGate(deps.config.maxUpdatesPerWeights);
    this.targetCandidates = new TargetCandidates(deps.catalog, deps.config.maxTargetCandidates, deps.online.spec.itemDim, deps.random);
  }

  get weightsVersion(): number {
    return this.onlineVersion;
  }

  /** Swaps in broadcast weights (synchronously, between steps). */
  adoptWeights(weights: ReceivedWeights): void {
    if (weights.role === 'ONLINE') {
      if (this.deps.lookahead === null) this.deps.online.setWeights(weights.values);
      else {
        this.deps.lookahead.adopt(weights.values, weights.learnerProgress[this.deps.learnerId]);
        this.deps.metrics.lookaheadPending.set(this.deps.lookahead.pendingUpdates);
      }
      this.onlineVersion = weights.version;
      this.freshness.adopted(weights.version);
      this.deps.metrics.modelVersion.set(weights.version);
    } else {
      this.deps.target.setWeights(weights.values);
      this.hasTarget = true;
    }
    this.deps.metrics.weightsVersion.set({ role: weights.role }, weights.version);
  }

  /** Adds consumed transitions to replay as (n-step) returns, dropping ids seen recently. */
  async insert(records: ConsumedRecord<Transition>[]): Promise<void> {
    const now = Date.now();
    const ready: ReturnTransition[] = [];
    for (const { value: transition } of records) {
      if (this.recentIds.has(transition.transitionId)) {
        this.deps.metrics.duplicates.inc();
        continue;
      }
      this.remember(transition.transitionId);
      for (const settled of this.deps.returns.add(transition, now)) ready.push(settled);
    }
    this.addToReplay(ready);
  }

  /** Truncates the returns of users whose next step did not come in time (runs every second while started). */
  flushStaleReturns(now = Date.now()): void {
    this.addToReplay(this.deps.returns.flushStale(now));
  }

  private addToReplay(ready: ReturnTransition[]): void {
    const { replay, metrics, limiter } = this.deps;
    for (const { transition, discount, horizon, cause } of ready) {
      replay.add(transition, discount);
      metrics.returns.inc({ horizon: String(horizon), cause });
    }
    limiter.recordInserts(ready.length);
    metrics.inserted.inc(ready.length);
    metrics.replaySize.set(replay.size);
    metrics.heldForReturns.set(this.deps.returns.heldTransitions);
  }

  /** Whether a step could run now, and if not, why. */
  readiness(): { ready: boolean; detail: string } {
    if (this.onlineVersion < 0 || !this.hasTarget) return { ready: false, detail: 'waiting for weights' };
    if (this.deps.replay.size < this.deps.config.warmup) return { ready: false, detail: `replay ${this.deps.replay.size}/${this.deps.config.warmup}` };
    if (this.deps.catalog.availableCount === 0) return { ready: false, detail: 'empty catalog' };
    return { ready: true, detail: 'training' };
  }

  start(): void {
    this.running = true;
    this.loop = this.trainLoop();
    this.staleTimer = setInterval(() => this.flushStaleReturns(), 1_000);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.staleTimer !== null) clearInterval(this.staleTimer);
    await this.loop;
    await Promise.all(this.inFlight);
  }

  /** One gradient step, sent to the parameter server. Exposed for tests and the benchmark. */
  async step(): Promise<void> {
    const { config, replay, online, target, metrics, limiter } = this.deps;
    const startedAt = process.hrtime.bigint();
    const { result, batchSize, newestFeedbackAt, sequence } = takeGradientStep({ config, replay, limiter, targetCandidates: this.targetCandidates, online, target, lookahead: this.deps.lookahead });
    if (this.deps.lookahead !== null) metrics.lookaheadPending.set(this.deps.lookahead.pendingUpdates);

    // Per-item tables travel as the rows this batch touched (a few hundred of thousands), the rest dense.
    const sparse = online.layout.some(isRowSparse);
    const gradients = Buffer.from(floatsToBytes(sparse ? packRowSparse(result.gradients, online.layout) : result.gradients));
    const send = this.deps.producer
      .send(this.deps.updatesTopic, {
        key: this.deps.config.common.modelId,
        value: codecs.modelUpdate.encode({
          updateId: randomUUID(),
          modelId: config.common.modelId,
          learnerId: this.deps.learnerId,
          baseVersion: this.onlineVersion,
          layoutHash: online.layoutHash,
          gradients,
          checksum: checksumOf(gradients),
          batchSize,
          tdLoss: result.tdLoss,
          meanQ: result.meanQ,
          newestSampleTimestamp: newestFeedbackAt > 0 ? newestFeedbackAt : null,
          timestamp: Date.now(),
          gradientEncoding: sparse ? 'SPARSE_ROWS' : 'DENSE',
          sequence,
        }),
      })
      .then(() => metrics.updatesSent.inc());
    this.freshness.sentUpdate();
    this.inFlight.add(send);
    void send.finally(() => this.inFlight.delete(send)).catch(() => undefined);

    metrics.trainSteps.inc();
    metrics.samples.inc(batchSize);
    metrics.tdLoss.set(result.tdLoss);
    metrics.meanQ.set(result.meanQ);
    metrics.gradNorm.set(result.gradNorm);
    metrics.samplesPerInsert.set(limiter.ratio);
    metrics.stepSeconds.observe(Number(process.hrtime.bigint() - startedAt) / 1e9);
  }

  private async trainLoop(): Promise<void> {
    while (this.running) {
      if (!this.readiness().ready) {
        await sleep(50);
        continue;
      }
      if (!this.deps.limiter.canSample(this.deps.config.batchSize)) {
        this.deps.metrics.throttled.inc();
        await sleep(20);
        continue;
      }
      // Wait for newer weights rather than compute gradients the parameter server would drop as stale.
      if (!this.freshness.open) {
        this.deps.metrics.weightsWaits.inc();
        await sleep(20);
        continue;
      }
      // Back-pressure: at most maxUpdatesInFlight unacknowledged updates.
      while (this.inFlight.size >= this.deps.config.maxUpdatesInFlight) await Promise.race(this.inFlight).catch(() => undefined);
      try {
        await this.step();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'train step failed');
        await sleep(500);
      }
      // Let the consumer and the weights subscriber run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private remember(transitionId: string): void {
    const evicted = this.recentOrder[this.recentNext];
    if (evicted !== undefined) this.recentIds.delete(evicted);
    this.recentOrder[this.recentNext] = transitionId;
    this.recentNext = (this.recentNext + 1) % DEDUP_WINDOW;
    this.recentIds.add(transitionId);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
