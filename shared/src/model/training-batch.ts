/** A minibatch of transitions as flat row-major arrays, ready to become tensors. */
export interface TrainingBatch {
  size: number;
  /** [size * stateDim] */
  states: Float32Array;
  /** [size * itemDim]: the features of the item that was shown. */
  items: Float32Array;
  /** [size] */
  rewards: Float32Array;
  /** [size * stateDim]; rows of done transitions are ignored. */
  nextStates: Float32Array;
  /** [size]: 1 where the session ended (no bootstrap), else 0. */
  dones: Float32Array;
  /** [size]: importance-sampling weights (all 1 for uniform replay). */
  weights: Float32Array;
  /** [size]: the slate position each item was shown at (0-based; the training loss's position term). */
  positions: Int32Array;
}
