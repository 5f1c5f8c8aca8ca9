import type { Transition } from '@rec/shared';
import { QNetwork } from '@rec/shared/model';
import type { LiveCatalog } from '@rec/shared';
import type { LearnerConfig } from '@rec/learner';
import { NStepAssembler } from '@rec/learner/dist/n-step-assembler';
import { ReplayBuffer } from '@rec/learner/dist/replay-buffer';
import { SamplesPerInsertLimiter } from '@rec/learner/dist/samples-per-insert-limiter';
import { TargetCandidates } from '@rec/learner/dist/target-candidates';
import { OwnUpdateLookahead } from '@rec/learner/dist/own-update-lookahead';
import { takeGradientStep } from '@rec/learner/dist/gradient-step';
import type { InProcessParameterServer } from './in-process-parameter-server';

export interface LearnerCounters {
  inserted: number;
  samples: number;
  steps: number;
  /** Seconds spent computing gradients (wall clock). */
  gradientSeconds: number;
  lastTdLoss: number;
  lastMeanQ: number;
}

/**
 * The learner's role in one process: transitions in through the learner's own n-step assembler and replay
 * buffer, Double-DQN gradients from the shared model code, applied by the in-process parameter server.
 * The time budget is simulated: `train(samples)` takes steps worth that many samples (what a learner
 * service of that speed would have done in the same time), bounded by the samples-per-insert limit.
 */
export class InProcessLearner {
  readonly counters: LearnerCounters = { inserted: 0, samples: 0, steps: 0, gradientSeconds: 0, lastTdLoss: 0, lastMeanQ: 0 };
  private readonly replay: ReplayBuffer;
  private readonly returns: NStepAssembler;
  private readonly limiter: SamplesPerInsertLimiter;
  private budget = 0;
  private readonly targetCandidates: TargetCandidates;
  /**
   * The online weights the gradients are computed on: the parameter server's last publish, as a learner
   * service sees them through the weights topic (its updates then land a few versions stale), or the
   * server's live weights when `readsLiveWeights` (no staleness: the ablation).
   */
  private readonly view: QNetwork | null;
  /** The service's own-update lookahead on `view` (LEARNER_LOOKAHEAD). */
  private readonly lookahead: OwnUpdateLookahead | null;
  /** Publishes on their way to this learner: the weights topic's delay, in simulated time. */
  private readonly inbox: { at: number; weights: Float32Array; processedThrough: number | undefined }[] = [];

  constructor(
    private readonly config: LearnerConfig,
    private readonly server: InProcessParameterServer,
    private readonly catalog: LiveCatalog,
    random: () => number,
    readsLiveWeights = false,
    private readonly broadcastDelayMs = 0,
  ) {
    this.replay = new ReplayBuffer(config.replayCapacity, { prioritized: config.prioritized, alpha: config.priorityAlpha, beta: config.priorityBeta, random });
    this.returns = new NStepAssembler({ steps: config.nStep, gamma: config.gamma, maxWaitMs: config.nStepMaxWaitMs, maxHeld: config.nStepMaxHeld });
    this.limiter = new SamplesPerInsertLimiter(config.maxSamplesPerInsert);
    this.targetCandidates = new TargetCandidates(catalog, config.maxTargetCandidates, server.online.spec.itemDim, random);
    this.view = readsLiveWeights ? null : new QNetwork(server.online.spec, 'experiment-learner-online');
    this.view?.copyFrom(server.online);
    this.lookahead = this.view !== null && config.lookahead ? new OwnUpdateLookahead(this.view, config.learningRate, config.maxUpdatesPerWeights) : null;
  }

  /**
   * The parameter server published `weights`, holding this learner's updates through `processedThrough`;
   * they reach the learner broadcastDelayMs later (the learner service's weights subscriber).
   */
  receive(weights: Float32Array, processedThrough: number | undefined, now: number): void {
    this.inbox.push({ at: now + this.broadcastDelayMs, weights, processedThrough });
  }

  private adoptArrived(now: number): void {
    let newest: (typeof this.inbox)[number] | undefined;
    while (this.inbox.length > 0 && this.inbox[0].at <= now) newest = this.inbox.shift();
    if (newest === undefined || this.view === null) return;
    if (this.lookahead === null) this.view.setWeights(newest.weights);
    else this.lookahead.adopt(newest.weights, newest.processedThrough);
  }

  get replaySize(): number {
    return this.replay.size;
  }

  insert(transitions: readonly Transition[], now: number): void {
    let added = 0;
    for (const transition of transitions) {
      for (const { transition: settled, discount } of this.returns.add(transition, now)) {
        this.replay.add(settled, discount);
        added += 1;
      }
    }
    this.limiter.recordInserts(added);
    this.counters.inserted += added;
  }

  /** Grants `samples` more samples of training time and takes the steps it pays for. */
  train(samples: number, now: number): void {
    this.budget += samples;
    const { batchSize, warmup } = this.config;
    if (this.replay.size < warmup || this.catalog.availableCount === 0) {
      this.budget = Math.min(this.budget, batchSize);
      return;
    }
    while (this.budget >= batchSize && this.limiter.canSample(batchSize)) {
      this.step(now);
      this.budget -= batchSize;
    }
    // A learner throttled by the samples-per-insert bound idles; idle time is not saved up.
    this.budget = Math.min(this.budget, batchSize);
  }

  private step(now: number): void {
    const { config, server } = this;
    const started = process.hrtime.bigint();
    this.adoptArrived(now);
    const { result, batchSize, sequence } = takeGradientStep({
      config,
      replay: this.replay,
      limiter: this.limiter,
      targetCandidates: this.targetCandidates,
      online: this.view ?? server.online,
      target: server.target,
      lookahead: this.lookahead,
    });
    server.apply(result.gradients, now, sequence);
    this.counters.steps += 1;
    this.counters.samples += batchSize;
    this.counters.lastTdLoss = result.tdLoss;
    this.counters.lastMeanQ = result.meanQ;
    this.counters.gradientSeconds += Number(process.hrtime.bigint() - started) / 1e9;
  }

  dispose(): void {
    this.targetCandidates.dispose();
    this.view?.dispose();
    this.lookahead?.dispose();
  }
}

