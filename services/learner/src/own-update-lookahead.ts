import { AdamParameterOptimizer, type QNetwork } from '@rec/shared/model';

/**
 * Most own updates kept on top of the broadcast weights (each one dense weights-sized delta); the services
 * pass LEARNER_MAX_UPDATES_PER_WEIGHTS, the most a learner sends on one weights version.
 */
const DEFAULT_MAX_PENDING = 32;

/**
 * Own-update lookahead: the weights a learner computes its next gradient on are the parameter server's
 * last broadcast plus this learner's own updates that the broadcast does not hold yet.
 *
 * Without it a learner's gradients are computed on weights that lack its own last several updates (the
 * broadcast arrives a publish cadence plus a round trip later: 8-32 versions on a loaded 2-core machine),
 * and Adam then takes the same step again and again before the first one shows: on the default world that
 * alone held the in-process DQN at random's level (final-window reward per request 1.52 with fresh weights,
 * 0.58 with the last published ones; README, design decision 2).
 *
 * Each own gradient is applied at once to the local copy with Adam at the parameter server's learning rate
 * (one learner: the same gradients in the same order, so the same moments) and the resulting weight change
 * is kept under the update's sequence number. A broadcast carries, per learner, the newest sequence it has
 * processed (applied or dropped); adopting it keeps only the later changes on top. Other learners'
 * updates still arrive with the broadcast, so the bound on staleness the parameter server enforces counts
 * only theirs.
 */
export class OwnUpdateLookahead {
  private readonly optimizer: AdamParameterOptimizer;
  private readonly pending: { sequence: number; delta: Float32Array }[] = [];
  private nextSequence = 0;
  private adoptedOnce = false;

  constructor(
    private readonly network: QNetwork,
    learningRate: number,
    private readonly maxPending = DEFAULT_MAX_PENDING,
  ) {
    this.optimizer = new AdamParameterOptimizer(network, learningRate);
  }

  /** Own updates applied locally and not yet in the broadcast weights. */
  get pendingUpdates(): number {
    return this.pending.length;
  }

  /** Applies this learner's own (flat, layout-order) gradient to its copy; returns the update's sequence. */
  applyOwn(gradients: Float32Array): number {
    const before = this.network.getWeights();
    this.optimizer.apply(gradients);
    const delta = this.network.getWeights();
    for (let index = 0; index < delta.length; index += 1) delta[index] -= before[index];
    const sequence = this.nextSequence;
    this.nextSequence += 1;
    this.pending.push({ sequence, delta });
    // Beyond the bound the oldest change is forgotten: the broadcast holds it by then, or it was lost.
    if (this.pending.length > this.maxPending) this.pending.shift();
    return sequence;
  }

  /**
   * Swaps in broadcast weights, keeping on top the own updates with a sequence after `processedThrough`
   * (the broadcast's learnerProgress for this learner; undefined: it has processed none of them).
   */
  adopt(values: Float32Array, processedThrough: number | undefined): void {
    // A learner that restarts under an id the server already knows continues its sequence.
    if (!this.adoptedOnce && processedThrough !== undefined && this.pending.length === 0) this.nextSequence = Math.max(this.nextSequence, processedThrough + 1);
    this.adoptedOnce = true;
    if (processedThrough !== undefined) {
      while (this.pending.length > 0 && this.pending[0].sequence <= processedThrough) this.pending.shift();
    }
    if (this.pending.length === 0) {
      this.network.setWeights(values);
      return;
    }
    const ahead = Float32Array.from(values);
    for (const { delta } of this.pending) {
      for (let index = 0; index < ahead.length; index += 1) ahead[index] += delta[index];
    }
    this.network.setWeights(ahead);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
