import { parameterLayout, POSITION_TERMS, type QNetworkSpec } from './q-network';

/**
 * Why Q(s, a) = <f(s), g(a)> + b(a) has the value it has, split exactly into parts that add up to it:
 *
 *   score       = interaction + itemBias
 *   interaction = sum(byStateFeature) + stateTowerBias   (the state's side: which of the user's features pull)
 *               = sum(byItemFeature) + itemEmbeddingBias  (the item's side: which of the item's features pull)
 *   itemBias    = sum(itemBiasByFeature) + itemBiasConstant (the item's learned bias, independent of the user)
 *
 * The state tower is a ReLU network, so around a given state it is exactly linear: f(s) = J s + c, with J
 * and c fixed by which units are active. byStateFeature[i] = s_i (Jᵀ g(a))_i and stateTowerBias = <c, g(a)>
 * are exact, not approximations. The position term p(k) is learned in training only (serving ranks by Q
 * alone), so it is reported beside the score, not in it.
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

  // The state tower, remembering which units are active.
  const z1 = dense(state, get('state/dense1/kernel'), get('state/dense1/bias'), h1);
  const a1 = z1.map((value) => Math.max(0, value));
  const z2 = dense(a1, get('state/dense2/kernel'), get('state/dense2/bias'), h2);
  const a2 = z2.map((value) => Math.max(0, value));
  const f = dense(a2, get('state/dense3/kernel'), get('state/dense3/bias'), embedding);

  // The item side.
  const g = dense(item, get('item/embedding/kernel'), get('item/embedding/bias'), embedding);
  const itemBiasKernel = get('item/bias/kernel');
  const itemBiasConstant = get('item/bias/bias')[0];
  const itemBiasByFeature = Float64Array.from(item, (x, j) => x * itemBiasKernel[j]);
  const itemBias = itemBiasByFeature.reduce((a, b) => a + b, 0) + itemBiasConstant;
  const interaction = dot(f, g);

  // State side: the tower's local linear map, applied backwards to g.
  const v2 = backward(get('state/dense3/kernel'), g, h2).map((value, index) => (z2[index] > 0 ? value : 0));
  const v1 = backward(get('state/dense2/kernel'), v2, h1).map((value, index) => (z1[index] > 0 ? value : 0));
  const w = backward(get('state/dense1/kernel'), v1, spec.stateDim);
  const byStateFeature = Float64Array.from(state, (s, i) => s * w[i]);
  // The bias path c: the tower's output for a zero input with the same units active.
  const c1 = Float64Array.from(get('state/dense1/bias'), (value, index) => (z1[index] > 0 ? value : 0));
  const c2 = dense(c1, get('state/dense2/kernel'), get('state/dense2/bias'), h2).map((value, index) => (z2[index] > 0 ? value : 0));
  const c = dense(c2, get('state/dense3/kernel'), get('state/dense3/bias'), embedding);
  const stateTowerBias = dot(c, g);

  // Item side of the interaction: g = x Wi + bi, so <f, g> = sum_j x_j (Wi f)_j + <bi, f>.
  const wf = backward(get('item/embedding/kernel'), f, spec.itemDim);
  const byItemFeature = Float64Array.from(item, (x, j) => x * wf[j]);
  const itemEmbeddingBias = dot(get('item/embedding/bias'), f);

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
