import type { QNetwork } from './q-network';
import { tf } from './tensor-backend';
import type { TrainingBatch } from './training-batch';
import { topIndices } from '../policy/top-indices';

/**
 * The loss hyperparameters; the optimizer (Adam) lives with whoever applies the gradients, and the
 * discount comes with each sample (TrainingBatch.discounts: gamma^n, or 0 at the end of a session).
 */
export interface DoubleDqnConfig {
  /** Huber loss threshold: quadratic inside, linear outside. */
  huberDelta: number;
  /** Gradients are scaled down so their global L2 norm is at most this. */
  maxGradNorm: number;
  /**
   * Size K of the greedy next slate the bootstrap averages over (see doubleDqnTargets); 1 is the
   * classic single-action max. Default 1.
   */
  bootstrapSlateSize?: number;
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
 * The Double DQN target for a slate recommender, read top to bottom like the equations:
 *   nextSlate   = the K items with the highest Q_online(s', .)       over the candidate items
 *   targetQ     = mean over k < K of Q_target(s', nextSlate_k) + p_target(k)
 *   tdTarget    = r + discount * targetQ
 * where r is the (n-step) return and discount is gamma^n, or 0 where the session ended.
 *
 * An item's value is its own reward plus the discounted value of what follows, and what follows a request
 * is a whole slate, not one item: targetQ is the per-slot value of the greedy next slate (its position
 * terms included), the same per-item unit as r and as the slate means of n-step returns. With K = 1 it is
 * the classic Double DQN target Q_target(s', argmax_a' Q_online(s', a')), which values the next request
 * as if every slot held the single best item: an overestimate by the whole top-K spread, added to every
 * target (the SlateQ argument, Ie et al. 2019, for slates whose value decomposes per item).
 * The online network picks, the target network values (Double DQN), so the max-bias stays out.
 * `candidates` holds the encoded available catalog, [items, itemDim].
 */
export function doubleDqnTargets(online: QNetwork, target: QNetwork, batch: TrainingBatch, candidates: tf.Tensor2D, bootstrapSlateSize = 1): tf.Tensor1D {
  const rewards = batch.rewards;
  // gamma 0 (the myopic bandit) or a batch of ended sessions: no bootstrap, no pass over s'.
  if (batch.discounts.every((discount) => discount === 0)) return tf.tensor1d(rewards);
  const items = candidates.shape[0];
  const slate = Math.max(1, Math.min(bootstrapSlateSize, items));
  // Tensors out of tidy, values read outside it: tidy walks what it returns, a typed array element by element.
  const tensors = tf.tidy(() => {
    const nextStates = tf.tensor2d(batch.nextStates, [batch.size, online.spec.stateDim]);
    return [online.allPairsQ(nextStates, candidates), target.allPairsQ(nextStates, candidates), target.positionTerms()] as const;
  });
  const [onlineQ, targetQ, positionTerms] = tensors.map((tensor) => tensor.dataSync() as Float32Array);
  tf.dispose([...tensors]);
  let positionMean = 0;
  for (let k = 0; k < slate; k += 1) positionMean += positionTerms[Math.min(k, positionTerms.length - 1)] / slate;
  const tdTarget = new Float32Array(batch.size);
  for (let row = 0; row < batch.size; row += 1) {
    if (batch.discounts[row] === 0) {
      tdTarget[row] = rewards[row];
      continue;
    }
    const nextSlate = topIndices(onlineQ.subarray(row * items, (row + 1) * items), slate);
    let value = 0;
    for (const item of nextSlate) value += targetQ[row * items + item];
    tdTarget[row] = rewards[row] + batch.discounts[row] * (value / slate + (slate > 1 ? positionMean : 0));
  }
  return tf.tensor1d(tdTarget);
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
  const tdTarget = doubleDqnTargets(online, target, batch, candidates, config.bootstrapSlateSize ?? 1);
  const states = tf.tensor2d(batch.states, [batch.size, online.spec.stateDim]);
  const items = tf.tensor2d(batch.items, [batch.size, online.spec.itemDim]);
  const weights = tf.tensor1d(batch.weights);
  let q: tf.Tensor1D | null = null;
  const { value: loss, grads } = tf.variableGrads(() => {
    const predicted = online.shownQ(states, items, batch.positions);
    q = tf.keep(predicted);
    const perSample = tf.losses.huberLoss(tdTarget, predicted, undefined, config.huberDelta, tf.Reduction.NONE);
    return tf.mean(tf.mul(weights, perSample)) as tf.Scalar;
  }, online.trainable);
  const ordered = online.trainable.map((variable) => grads[variable.name]);
  const { clipped, norm } = clipByGlobalNorm(ordered, config.maxGradNorm);

  // Flat in layout order; the normalisers (not trained by gradients) keep zeros.
  const gradients = new Float32Array(online.size);
  const clippedByName = new Map(online.trainable.map((variable, index) => [variable.name, clipped[index]]));
  let offset = 0;
  for (const variable of online.variables) {
    const gradient = clippedByName.get(variable.name);
    if (gradient !== undefined) gradients.set(gradient.dataSync() as Float32Array, offset);
    offset += variable.size;
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
