import type { QNetwork } from './q-network';
import { tf } from './tensor-backend';
import type { TrainingBatch } from './training-batch';

/**
 * The loss hyperparameters; the optimizer (Adam) lives with whoever applies the gradients, and the
 * discount comes with each sample (TrainingBatch.discounts: gamma^n, or 0 at the end of a session).
 */
export interface DoubleDqnConfig {
  /** Huber loss threshold: quadratic inside, linear outside. */
  huberDelta: number;
  /** Gradients are scaled down so their global L2 norm is at most this. */
  maxGradNorm: number;
}

export interface GradientStep {
  /** The clipped gradient, flat in the network's layout order. */
  gradients: Float32Array;
  /** Mean (importance-weighted) Huber loss of the batch. */
  tdLoss: number;
  /** Mean Q(s, a) + p(position) of the batch under the online network. */
  meanQ: number;
  /** |tdTarget - Q(s, a)| per transition: the new priorities of prioritized replay. */
  tdErrors: Float32Array;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * The Double DQN target, read top to bottom like the equations:
 *   nextActions = argmax_a' Q_online(s', a')        over the candidate items
 *   targetQ     = Q_target(s', nextActions)
 *   tdTarget    = r + discount * targetQ
 * where r is the (n-step) return and discount is gamma^n, or 0 where the session ended.
 * `candidates` holds the item features of the available catalog, [items, itemDim].
 */
export function doubleDqnTargets(online: QNetwork, target: QNetwork, batch: TrainingBatch, candidates: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const rewards = tf.tensor1d(batch.rewards);
    // gamma 0 (the myopic bandit) or a batch of ended sessions: no bootstrap, no pass over s'.
    if (batch.discounts.every((discount) => discount === 0)) return rewards;
    const nextStates = tf.tensor2d(batch.nextStates, [batch.size, online.spec.stateDim]);
    const nextActions = tf.argMax(online.allPairsQ(nextStates, candidates), 1) as tf.Tensor1D;
    const nextItems = tf.gather(candidates, nextActions) as tf.Tensor2D;
    const targetQ = target.pairedQ(nextStates, nextItems);
    return tf.add(rewards, tf.mul(tf.tensor1d(batch.discounts), targetQ)) as tf.Tensor1D;
  });
}

/**
 * One Double-DQN gradient: Huber loss between Q_online(s, a) + p(position) and the (constant) tdTarget,
 * weighted by the importance weights, differentiated with respect to the online network, clipped by
 * global norm. The gradient is returned rather than applied, so a parameter server can own the optimizer.
 */
export function doubleDqnGradients(
  online: QNetwork,
  target: QNetwork,
  batch: TrainingBatch,
  candidates: tf.Tensor2D,
  config: DoubleDqnConfig,
): GradientStep {
  const tdTarget = doubleDqnTargets(online, target, batch, candidates);
  const states = tf.tensor2d(batch.states, [batch.size, online.spec.stateDim]);
  const items = tf.tensor2d(batch.items, [batch.size, online.spec.itemDim]);
  const weights = tf.tensor1d(batch.weights);
  let q: tf.Tensor1D | null = null;
  const { value: loss, grads } = tf.variableGrads(() => {
    const predicted = online.shownQ(states, items, batch.positions);
    q = tf.keep(predicted);
    const perSample = tf.losses.huberLoss(tdTarget, predicted, undefined, config.huberDelta, tf.Reduction.NONE);
    return tf.mean(tf.mul(weights, perSample)) as tf.Scalar;
  }, online.variables);
  const ordered = online.variables.map((variable) => grads[variable.name]);
  const { clipped, norm } = clipByGlobalNorm(ordered, config.maxGradNorm);

  const gradients = new Float32Array(online.size);
  let offset = 0;
  for (const gradient of clipped) {
    const values = gradient.dataSync() as Float32Array;
    gradients.set(values, offset);
    offset += values.length;
  }
  const predicted = q as unknown as tf.Tensor1D;
  const tdErrors = tf.tidy(() => tf.abs(tf.sub(tdTarget, predicted)).dataSync() as Float32Array);
  const result: GradientStep = {
    gradients,
    tdLoss: loss.dataSync()[0],
    meanQ: tf.tidy(() => tf.mean(predicted).dataSync()[0]),
    tdErrors: Float32Array.from(tdErrors),
    gradNorm: norm,
  };
  tf.dispose([tdTarget, states, items, weights, loss, predicted, ...Object.values(grads), ...clipped]);
  return result;
}

/** Scales a list of gradients so that their joint L2 norm is at most maxNorm. */
export function clipByGlobalNorm(gradients: tf.Tensor[], maxNorm: number): { clipped: tf.Tensor[]; norm: number } {
  const norm = tf.tidy(() => Math.sqrt(tf.addN(gradients.map((gradient) => tf.sum(tf.square(gradient)))).dataSync()[0]));
  const scale = Number.isFinite(maxNorm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { clipped: gradients.map((gradient) => tf.mul(gradient, scale)), norm };
}
