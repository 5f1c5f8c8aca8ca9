/** A minibatch of transitions as flat row-major arrays, ready to become tensors. */
export interface TrainingBatch {
  size: number;
  /** [size * stateDim] */
  states: Float32Array;
  /** [size * itemDim]: the features of the item that was shown. */
  items: Float32Array;
  /** [size]: the (n-step) return before the bootstrap. */
  rewards: Float32Array;
  /** [size * stateDim]: the state the value is bootstrapped from; rows with discount 0 are ignored. */
  nextStates: Float32Array;
  /**
   * [size]: the factor on the bootstrapped value, gamma^n for an n-step return (gamma for a one-step
   * transition), 0 where the session ended before the bootstrap state.
   */
  discounts: Float32Array;
  /** [size]: importance-sampling weights (all 1 for uniform replay). */
  weights: Float32Array;
  /** [size]: the slate position each item was shown at (0-based; the training loss's position term). */
  positions: Int32Array;
}
