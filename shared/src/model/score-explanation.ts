import { itemIdRow } from '../state/item-encoder';
import { parameterLayout, POSITION_TERMS, type QNetworkSpec } from './q-network';

/**
 * Why Q(s, a) = <f(s), [g(x_a); e_a]> + b(x_a) + beta_a has the value it has, split exactly into parts that
 * add up to it:
 *
 *   score       = interaction + itemBias
 *   interaction = sum(byStateFeature) + stateTowerBias   (the state's side: which of the user's features pull)
 *               = sum(byItemFeature) + itemEmbeddingBias  (the item's side: which of the item's features pull)
 *   itemBias    = sum(itemBiasByFeature) + itemBiasConstant (the item's learned bias, independent of the user)
 *
 * Features enter as the network sees them, normalised by the statistics in the weights (so a feature's
 * contribution is measured from its catalog mean). The item's identity slot (its last position) carries
 * what the model learned about the item itself: in byItemFeature its own embedding row's interaction
 * <f(s), e_a>, in itemBiasByFeature its own bias beta_a.
 *
 * The state tower is a ReLU network, so around a given state it is exactly linear: f(s) = J s + c, with J
 * and c fixed by which units are active. byStateFeature[i] = s_i (Jᵀ [g; e])_i and stateTowerBias =
 * <c, [g; e]> are exact, not approximations. The position term p(k) is learned in training only (serving
 * ranks by Q alone), so it is reported beside the score, not in it.
 */
export interface ScoreExplanation {
  score: number;
  interaction: number;
  itemBias: number;
  byStateFeature: Float64Array;
  stateTowerBias: number;
  byItemFeature: Float64Array;
  itemEmbeddingBias: number;
  itemBiasByFeature: Float64Array;
  itemBiasConstant: number;
  /** p(k) per position k (the last one stands for every deeper position). */
  positionTerms: Float64Array;
}

/** The network's parameters as views into one flat weight vector (layout order). */
function parametersOf(spec: QNetworkSpec, weights: Float32Array): Map<string, { values: Float32Array; shape: number[] }> {
  const parameters = new Map<string, { values: Float32Array; shape: number[] }>();
  let offset = 0;
  for (const { name, shape } of parameterLayout(spec)) {
    const size = shape.reduce((a, b) => a * b, 1);
    parameters.set(name, { values: weights.subarray(offset, offset + size), shape });
    offset += size;
  }
  if (offset !== weights.length) throw new RangeError(`expected ${offset} weights for this layout, got ${weights.length}`);
  return parameters;
}

/** x W + b for a row vector x and a [in, out] kernel, in float64. */
function dense(x: ArrayLike<number>, kernel: Float32Array, bias: Float32Array | null, outputs: number): Float64Array {
  const out = new Float64Array(outputs);
  if (bias !== null) for (let j = 0; j < outputs; j += 1) out[j] = bias[j];
  for (let i = 0; i < x.length; i += 1) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * outputs;
    for (let j = 0; j < outputs; j += 1) out[j] += xi * kernel[row + j];
  }
  return out;
}

/** W v for a [in, out] kernel and a column vector v of length out: one value per input. */
function backward(kernel: Float32Array, v: ArrayLike<number>, inputs: number): Float64Array {
  const outputs = v.length;
  const out = new Float64Array(inputs);
  for (let i = 0; i < inputs; i += 1) {
    let sum = 0;
    const row = i * outputs;
    for (let j = 0; j < outputs; j += 1) sum += kernel[row + j] * v[j];
    out[i] = sum;
  }
  return out;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += a[index] * b[index];
  return sum;
};

/** Explains the score of one (state, item) pair under the weights `weights` of a network shaped `spec`. */
export function explainScore(spec: QNetworkSpec, weights: Float32Array, state: Float32Array, item: Float32Array): ScoreExplanation {
  if (state.length !== spec.stateDim || item.length !== spec.itemDim) {
    throw new RangeError(`expected a ${spec.stateDim}-float state and a ${spec.itemDim}-float item, got ${state.length} and ${item.length}`);
  }
  const p = parametersOf(spec, weights);
  const get = (name: string) => p.get(name)!.values;
  const [h1, h2, embedding] = spec.hiddenSizes;
  const features = spec.itemDim - 1;
  const idDim = spec.itemIdBuckets > 0 ? spec.itemIdDim : 0;
  const width = embedding + idDim;

  // Inputs as the network sees them: normalised by the statistics in the weights.
  const stateMean = get('normalizer/state/mean');
  const stateScale = get('normalizer/state/scale');
  const itemMean = get('normalizer/item/mean');
  const itemScale = get('normalizer/item/scale');
  const s = Float64Array.from(state, (value, index) => (value - stateMean[index]) * stateScale[index]);
  const x = Float64Array.from({ length: features }, (_, index) => (item[index] - itemMean[index]) * itemScale[index]);

  // The state tower, remembering which units are active.
  const z1 = dense(s, get('state/dense1/kernel'), get('state/dense1/bias'), h1);
  const a1 = z1.map((value) => Math.max(0, value));
  const z2 = dense(a1, get('state/dense2/kernel'), get('state/dense2/bias'), h2);
  const a2 = z2.map((value) => Math.max(0, value));
  const f = dense(a2, get('state/dense3/kernel'), get('state/dense3/bias'), width);

  // The item side: [g(x); e] and b(x) + beta.
  const gFeatures = dense(x, get('item/embedding/kernel'), get('item/embedding/bias'), embedding);
  const row = idDim > 0 ? itemIdRow(item[features], spec.itemIdBuckets) : -1;
  const own = idDim > 0 ? get('item/id/embedding').subarray(row * idDim, (row + 1) * idDim) : new Float32Array(0);
  const ownBias = idDim > 0 ? get('item/id/bias')[row] : 0;
  const g = Float64Array.from([...gFeatures, ...own]);
  const itemBiasKernel = get('item/bias/kernel');
  const itemBiasConstant = get('item/bias/bias')[0];
  const itemBiasByFeature = Float64Array.from({ length: spec.itemDim }, (_, j) => (j < features ? x[j] * itemBiasKernel[j] : ownBias));
  const itemBias = itemBiasByFeature.reduce((a, b) => a + b, 0) + itemBiasConstant;
  const interaction = dot(f, g);

  // State side: the tower's local linear map, applied backwards to [g; e].
  const v2 = backward(get('state/dense3/kernel'), g, h2).map((value, index) => (z2[index] > 0 ? value : 0));
  const v1 = backward(get('state/dense2/kernel'), v2, h1).map((value, index) => (z1[index] > 0 ? value : 0));
  const w = backward(get('state/dense1/kernel'), v1, spec.stateDim);
  const byStateFeature = Float64Array.from(s, (value, i) => value * w[i]);
  // The bias path c: the tower's output for a zero input with the same units active.
  const c1 = Float64Array.from(get('state/dense1/bias'), (value, index) => (z1[index] > 0 ? value : 0));
  const c2 = dense(c1, get('state/dense2/kernel'), get('state/dense2/bias'), h2).map((value, index) => (z2[index] > 0 ? value : 0));
  const c = dense(c2, get('state/dense3/kernel'), get('state/dense3/bias'), width);
  const stateTowerBias = dot(c, g);

  // Item side of the interaction: g = x Wi + bi on the first `embedding` units of f, e on the rest, so
  // <f, [g; e]> = sum_j x_j (Wi f)_j + <bi, f> + <f_rest, e>.
  const fFeatures = f.subarray(0, embedding);
  const wf = backward(get('item/embedding/kernel'), fFeatures, features);
  const ownInteraction = dot(f.subarray(embedding), own);
  const byItemFeature = Float64Array.from({ length: spec.itemDim }, (_, j) => (j < features ? x[j] * wf[j] : ownInteraction));
  const itemEmbeddingBias = dot(get('item/embedding/bias'), fFeatures);

  const positions = get('position/bias');
  return {
    score: interaction + itemBias,
    interaction,
    itemBias,
    byStateFeature,
    stateTowerBias,
    byItemFeature,
    itemEmbeddingBias,
    itemBiasByFeature,
    itemBiasConstant,
    positionTerms: Float64Array.from({ length: POSITION_TERMS }, (_, index) => positions[index]),
  };
}
