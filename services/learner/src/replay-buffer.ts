import { ITEM_DIM, STATE_DIM, bytesToFloats, type Transition } from '@rec/shared';
import type { TrainingBatch } from '@rec/shared/model';
import { SumTree } from './sum-tree';

/** A sampled batch, with the replay slots it came from and its newest feedback time. */
export interface SampledBatch extends TrainingBatch {
  slots: Int32Array;
  /** Newest feedback timestamp among the sampled transitions (freshness), 0 if none. */
  newestFeedbackAt: number;
}

/**
 * The learner's replay memory: a ring of preallocated typed arrays (no per-transition objects), uniform
 * or prioritized sampling. Bytes per transition: (2 * STATE_DIM + ITEM_DIM + 3) * 4 + 8.
 */
export class ReplayBuffer {
  readonly states: Float32Array;
  readonly items: Float32Array;
  readonly rewards: Float32Array;
  readonly nextStates: Float32Array;
  readonly discounts: Float32Array;
  readonly positions: Int32Array;
  private readonly priorities: SumTree | null;
  private maxPriority = 1;
  private next = 0;
  private count = 0;
  /** Newest feedback timestamp per slot, for freshness. */
  readonly feedbackTimes: Float64Array;

  constructor(
    readonly capacity: number,
    private readonly options: { prioritized: boolean; alpha: number; beta: number; random: () => number },
  ) {
    this.states = new Float32Array(capacity * STATE_DIM);
    this.items = new Float32Array(capacity * ITEM_DIM);
    this.rewards = new Float32Array(capacity);
    this.nextStates = new Float32Array(capacity * STATE_DIM);
    this.discounts = new Float32Array(capacity);
    this.positions = new Int32Array(capacity);
    this.feedbackTimes = new Float64Array(capacity);
    this.priorities = options.prioritized ? new SumTree(capacity) : null;
  }

  static bytesPerTransition(): number {
    return (2 * STATE_DIM + ITEM_DIM + 3) * 4 + 8;
  }

  get size(): number {
    return this.count;
  }

  /** Adds a transition whose reward is its (n-step) return, bootstrapped from nextState with `discount`. */
  add(transition: Transition, discount: number): void {
    const slot = this.next;
    this.states.set(bytesToFloats(transition.state), slot * STATE_DIM);
    this.items.set(bytesToFloats(transition.itemFeatures), slot * ITEM_DIM);
    this.rewards[slot] = transition.reward;
    if (transition.nextState === null) this.nextStates.fill(0, slot * STATE_DIM, (slot + 1) * STATE_DIM);
    else this.nextStates.set(bytesToFloats(transition.nextState), slot * STATE_DIM);
    this.discounts[slot] = transition.done ? 0 : discount;
    this.positions[slot] = transition.position;
    this.feedbackTimes[slot] = transition.lastFeedbackTimestamp ?? 0;
    // A new transition gets the highest priority seen, so it is sampled at least once soon.
    this.priorities?.set(slot, this.maxPriority ** this.options.alpha);
    this.next = (slot + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Draws `size` slots and copies them into a batch (importance weights normalised to max 1). */
  sample(size: number): SampledBatch {
    const slots = new Int32Array(size);
    const weights = new Float32Array(size).fill(1);
    const { random } = this.options;
    if (this.priorities === null) {
      for (let index = 0; index < size; index += 1) slots[index] = Math.floor(random() * this.count);
    } else {
      const total = this.priorities.total;
      let maxWeight = 0;
      for (let index = 0; index < size; index += 1) {
        // Stratified: one draw per equal segment of the total priority mass.
        const slot = Math.min(this.priorities.find(((index + random()) / size) * total), this.count - 1);
        slots[index] = slot;
        const probability = this.priorities.get(slot) / total;
        weights[index] = (this.count * probability) ** -this.options.beta;
        maxWeight = Math.max(maxWeight, weights[index]);
      }
      for (let index = 0; index < size; index += 1) weights[index] /= maxWeight;
    }
    const batch: SampledBatch = {
      size,
      slots,
      states: new Float32Array(size * STATE_DIM),
      items: new Float32Array(size * ITEM_DIM),
      rewards: new Float32Array(size),
      nextStates: new Float32Array(size * STATE_DIM),
      discounts: new Float32Array(size),
      positions: new Int32Array(size),
      weights,
      newestFeedbackAt: 0,
    };
    for (let index = 0; index < size; index += 1) {
      const slot = slots[index];
      batch.states.set(this.states.subarray(slot * STATE_DIM, (slot + 1) * STATE_DIM), index * STATE_DIM);
      batch.items.set(this.items.subarray(slot * ITEM_DIM, (slot + 1) * ITEM_DIM), index * ITEM_DIM);
      batch.nextStates.set(this.nextStates.subarray(slot * STATE_DIM, (slot + 1) * STATE_DIM), index * STATE_DIM);
      batch.rewards[index] = this.rewards[slot];
      batch.discounts[index] = this.discounts[slot];
      batch.positions[index] = this.positions[slot];
      batch.newestFeedbackAt = Math.max(batch.newestFeedbackAt, this.feedbackTimes[slot]);
    }
    return batch;
  }

  /** New priorities from the TD errors of a sampled batch (prioritized replay only). */
  updatePriorities(slots: Int32Array, tdErrors: Float32Array): void {
    if (this.priorities === null) return;
    for (let index = 0; index < slots.length; index += 1) {
      const priority = Math.abs(tdErrors[index]) + 1e-3;
      this.maxPriority = Math.max(this.maxPriority, priority);
      this.priorities.set(slots[index], priority ** this.options.alpha);
    }
  }
}
