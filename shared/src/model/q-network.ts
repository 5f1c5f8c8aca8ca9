import { createHash } from 'node:crypto';
import { ITEM_FEATURES_DIM, itemIdRow } from '../state/item-encoder';
import { STATE_DIM, STATE_ITEM_BLOCKS } from '../state/state-encoder';
import { tf } from './tensor-backend';

/**
 * The shape of the Q-network:
 *
 *   Q(s, a) = <f(s), [g(x_a); e_a]> + b(x_a) + beta_a
 *
 * f is the state tower (three fully connected layers, ReLU between them, the last one linear), g a
 * linear item tower and b a linear item bias on the item's dense features x_a, and e_a, beta_a the item's
 * own learned embedding row and bias, looked up by its hashed id (the identity slot of the encoded item,
 * modulo `itemIdBuckets`). The features give a new item a score from its first request; the per-item
 * row learns from feedback what the features do not say (an item's own appeal, its audience). f's last
 * layer is `hiddenSizes[2] + itemIdDim` wide: the first part meets g, the rest meets e. One matrix
 * product scores the whole catalog.
 *
 * Inputs are normalised first by statistics that are part of the weights (never trained by gradients):
 * the item features' mean and scale (1/std), applied to x_a and to the state's item-feature blocks (the
 * engaged and exposed means, the viewed item), so features on any scale train alike. Whoever owns the
 * weights sets them (`setNormalizer`), and they travel and are versioned with the weights.
 *
 * Training adds p(k), a learned term per slate position k, to the Q of an item shown at position k: how
 * often an item is even looked at depends on where it was shown, and without this term the items the
 * policy already puts on top would look better than they are and stay there (the position-bias feedback
 * loop). Serving ranks by Q(s, a) alone, which p does not reorder.
 */
/** Slate positions with a term of their own; deeper positions share the last. */
export const POSITION_TERMS = 32;
export interface QNetworkSpec {
  stateDim: number;
  /** Width of an encoded item: its dense features, then the identity slot (ITEM_DIM in the services). */
  itemDim: number;
  /** Widths of the state tower's three layers; the last is the feature embedding width. */
  hiddenSizes: number[];
  /** Rows of the per-item embedding table, a power of two; 0: no per-item parameters. */
  itemIdBuckets: number;
  /** Width of a per-item embedding row (the state tower's last layer grows by it). */
  itemIdDim: number;
  /** Seed of the initial weights. */
  seed: number;
}

/** One parameter tensor's name and shape, in the order of the flat weight vector. */
export interface ParameterShape {
  name: string;
  shape: number[];
}

/** Parameters under this prefix are set by their owner, never by gradients (their gradient is zero). */
export const NORMALIZER_PREFIX = 'normalizer/';

export function parameterLayout(spec: QNetworkSpec): ParameterShape[] {
  if (spec.hiddenSizes.length !== 3) throw new Error(`the state tower has three layers; got hiddenSizes ${spec.hiddenSizes.join(',')}`);
  if (spec.itemDim < 2) throw new Error(`an item is at least one feature plus its identity slot; got itemDim ${spec.itemDim}`);
  const buckets = spec.itemIdBuckets;
  if (buckets !== 0 && (buckets & (buckets - 1)) !== 0) throw new Error(`itemIdBuckets must be 0 or a power of two; got ${buckets}`);
  const [h1, h2, embedding] = spec.hiddenSizes;
  const idDim = buckets > 0 ? spec.itemIdDim : 0;
  const features = spec.itemDim - 1;
  return [
    { name: 'normalizer/state/mean', shape: [spec.stateDim] },
    { name: 'normalizer/state/scale', shape: [spec.stateDim] },
    { name: 'normalizer/item/mean', shape: [features] },
    { name: 'normalizer/item/scale', shape: [features] },
    { name: 'state/dense1/kernel', shape: [spec.stateDim, h1] },
    { name: 'state/dense1/bias', shape: [h1] },
    { name: 'state/dense2/kernel', shape: [h1, h2] },
    { name: 'state/dense2/bias', shape: [h2] },
    { name: 'state/dense3/kernel', shape: [h2, embedding + idDim] },
    { name: 'state/dense3/bias', shape: [embedding + idDim] },
    { name: 'item/embedding/kernel', shape: [features, embedding] },
    { name: 'item/embedding/bias', shape: [embedding] },
    { name: 'item/bias/kernel', shape: [features, 1] },
    { name: 'item/bias/bias', shape: [1] },
    { name: 'position/bias', shape: [POSITION_TERMS, 1] },
    ...(buckets > 0
      ? [
          { name: 'item/id/embedding', shape: [buckets, idDim] },
          { name: 'item/id/bias', shape: [buckets, 1] },
        ]
      : []),
  ];
}

export function parameterCount(layout: ParameterShape[]): number {
  return layout.reduce((sum, { shape }) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/** Identifies a layout: weights or gradients of another layout are rejected. */
export function layoutHashOf(layout: ParameterShape[]): string {
  return createHash('sha256').update(JSON.stringify(layout)).digest('hex').slice(0, 16);
}

/** Mean and scale (1 / std) of the items' dense features: what the network normalises its inputs with. */
export interface FeatureNormalizer {
  mean: Float32Array;
  scale: Float32Array;
}

/**
 * The normaliser of a set of encoded items (rows of `itemDim` floats): per dense feature, the mean and
 * 1 / std (1 where a feature does not vary). Deterministic in the items, so every holder of the same
 * catalog computes the same one.
 */
export function featureNormalizerOf(vectors: Float32Array, itemDim: number): FeatureNormalizer {
  const count = Math.floor(vectors.length / itemDim);
  const features = itemDim - 1;
  const mean = new Float32Array(features);
  const scale = new Float32Array(features).fill(1);
  if (count === 0) return { mean, scale };
  const sums = new Float64Array(features);
  const squares = new Float64Array(features);
  for (let row = 0; row < count; row += 1) {
    for (let column = 0; column < features; column += 1) {
      const value = vectors[row * itemDim + column];
      sums[column] += value;
      squares[column] += value * value;
    }
  }
  for (let column = 0; column < features; column += 1) {
    const average = sums[column] / count;
    const variance = Math.max(0, squares[column] / count - average * average);
    mean[column] = average;
    scale[column] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1;
  }
  return { mean, scale };
}

/**
 * A matrix product whose gradient uses explicit transposes and plain products: the wasm backend's matMul
 * with a transposed operand (what the built-in gradient uses) is several times slower.
 */
const plainMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(savedB)), tf.matMul(tf.transpose(savedA), dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/**
 * Rows `rows` of `table`, whose gradient is a dense table with the rows' gradients added in place
 * (computed on the host): the built-in gradient of gather needs UnsortedSegmentSum, which the wasm
 * backend lacks. Only the few looked-up rows are non-zero, which is what makes the update sparse.
 */
function gatherRows(table: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
  const [tableRows, width] = table.shape;
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [source] = args as [tf.Tensor2D];
    return {
      value: tf.tidy(() => tf.gather(source, tf.tensor1d(rows, 'int32'))),
      gradFunc: (dy: tf.Tensor) => {
        const upstream = dy.dataSync() as Float32Array;
        const dense = new Float32Array(tableRows * width);
        for (let index = 0; index < rows.length; index += 1) {
          const target = rows[index] * width;
          for (let column = 0; column < width; column += 1) dense[target + column] += upstream[index * width + column];
        }
        return [tf.tensor2d(dense, [tableRows, width])];
      },
    };
  }) as (source: tf.Tensor2D) => tf.Tensor2D;
  return lookup(table);
}

/** tfjs variable names are process-wide; each network instance gets its own namespace. */
let instances = 0;

/** The network's variables (trainable and normalisers) and its forward passes. */
export class QNetwork {
  readonly layout: ParameterShape[];
  readonly layoutHash: string;
  readonly size: number;
  readonly variables: tf.Variable[];
  /** The variables gradients train (all but the normalisers), in layout order. */
  readonly trainable: tf.Variable[];
  private readonly byName = new Map<string, tf.Variable>();

  constructor(
    readonly spec: QNetworkSpec,
    name = 'q',
  ) {
    this.layout = parameterLayout(spec);
    this.layoutHash = layoutHashOf(this.layout);
    this.size = parameterCount(this.layout);
    let seed = spec.seed;
    const scope = `${name}${instances++}`;
    this.variables = this.layout.map(({ name: parameter, shape }) =>
      tf.tidy(() => {
        const trainable = !parameter.startsWith(NORMALIZER_PREFIX);
        let initial: tf.Tensor;
        if (parameter.endsWith('/scale')) initial = tf.ones(shape);
        else if (!trainable || shape.length === 1 || parameter.endsWith('/bias')) initial = tf.zeros(shape);
        // Per-item rows start small: each sees little data, and a large random row would be noise in Q.
        else if (parameter === 'item/id/embedding') initial = tf.randomNormal(shape, 0, 0.05, 'float32', seed++);
        // He initialisation for ReLU layers, Glorot-like for the linear heads.
        else initial = tf.randomNormal(shape, 0, Math.sqrt((parameter.startsWith('state/dense3') || parameter.startsWith('item') ? 1 : 2) / shape[0]), 'float32', seed++);
        return tf.variable(initial, trainable, `${scope}/${parameter}`);
      }),
    );
    this.layout.forEach(({ name: parameter }, index) => this.byName.set(parameter, this.variables[index]));
    this.trainable = this.variables.filter((variable) => variable.trainable);
  }

  private parameter(name: string): tf.Variable {
    const variable = this.byName.get(name);
    if (variable === undefined) throw new Error(`no parameter ${name} in this layout`);
    return variable;
  }

  get hasItemIds(): boolean {
    return this.spec.itemIdBuckets > 0;
  }

  /** Sets the input normaliser from the items' feature statistics (a weight like any other: it travels with them). */
  setNormalizer({ mean, scale }: FeatureNormalizer): void {
    const stateMean = new Float32Array(this.spec.stateDim);
    const stateScale = new Float32Array(this.spec.stateDim).fill(1);
    // The state's item-feature blocks exist in the services' state layout only (hand-built test networks have none).
    const blocks = this.spec.stateDim === STATE_DIM && mean.length === ITEM_FEATURES_DIM ? STATE_ITEM_BLOCKS : [];
    for (const offset of blocks) {
      stateMean.set(mean, offset);
      stateScale.set(scale, offset);
    }
    tf.tidy(() => {
      this.parameter('normalizer/state/mean').assign(tf.tensor1d(stateMean));
      this.parameter('normalizer/state/scale').assign(tf.tensor1d(stateScale));
      this.parameter('normalizer/item/mean').assign(tf.tensor1d(mean));
      this.parameter('normalizer/item/scale').assign(tf.tensor1d(scale));
    });
  }

  /** f(s): [batch, stateDim] -> [batch, embedding + itemIdDim]. */
  stateEmbedding(states: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const normalised = tf.mul(tf.sub(states, this.parameter('normalizer/state/mean')), this.parameter('normalizer/state/scale'));
      const h1 = tf.relu(tf.add(plainMatMul(normalised, this.parameter('state/dense1/kernel')), this.parameter('state/dense1/bias')));
      const h2 = tf.relu(tf.add(plainMatMul(h1, this.parameter('state/dense2/kernel')), this.parameter('state/dense2/bias')));
      return tf.add(plainMatMul(h2, this.parameter('state/dense3/kernel')), this.parameter('state/dense3/bias')) as tf.Tensor2D;
    });
  }

  /**
   * [g(x_a); e_a] and b(x_a) + beta_a for encoded items: [items, itemDim] -> embeddings [items,
   * embedding + itemIdDim] and biases [items].
   */
  itemEmbedding(items: tf.Tensor2D): { embeddings: tf.Tensor2D; biases: tf.Tensor1D } {
    const rows = this.hasItemIds ? this.itemRows(items) : null;
    return tf.tidy(() => {
      const features = tf.slice(items, [0, 0], [-1, this.spec.itemDim - 1]);
      const normalised = tf.mul(tf.sub(features, this.parameter('normalizer/item/mean')), this.parameter('normalizer/item/scale'));
      const fromFeatures = tf.add(plainMatMul(normalised, this.parameter('item/embedding/kernel')), this.parameter('item/embedding/bias'));
      const featureBias = tf.reshape(tf.add(plainMatMul(normalised, this.parameter('item/bias/kernel')), this.parameter('item/bias/bias')), [-1]);
      if (rows === null) return { embeddings: fromFeatures as tf.Tensor2D, biases: featureBias as tf.Tensor1D };
      const ownEmbedding = gatherRows(this.parameter('item/id/embedding') as unknown as tf.Tensor2D, rows);
      const ownBias = tf.reshape(gatherRows(this.parameter('item/id/bias') as unknown as tf.Tensor2D, rows), [-1]);
      return {
        embeddings: tf.concat([fromFeatures, ownEmbedding], 1) as tf.Tensor2D,
        biases: tf.add(featureBias, ownBias) as tf.Tensor1D,
      };
    });
  }

  /** Each item's row of the per-item table: its identity hash modulo the table size. */
  itemRows(items: tf.Tensor2D): Int32Array {
    // Disposed here, not left to a caller's tidy: the identity column is read on the host and not needed after.
    const identities = tf.slice(items, [0, this.spec.itemDim - 1], [-1, 1]);
    const hashes = identities.dataSync();
    identities.dispose();
    return Int32Array.from(hashes, (hash) => itemIdRow(hash, this.spec.itemIdBuckets));
  }

  /**
   * Q(s_i, a_i) + p(k_i) for items shown at positions k_i: what the training loss compares with the reward.
   * The position term is read through a one-hot product (its gradient needs no gather kernel).
   */
  shownQ(states: tf.Tensor2D, items: tf.Tensor2D, positions: Int32Array): tf.Tensor1D {
    const positionBias = this.parameter('position/bias') as unknown as tf.Tensor2D;
    return tf.tidy(() => {
      const clamped = tf.tensor1d(Int32Array.from(positions, (k) => Math.min(Math.max(k, 0), POSITION_TERMS - 1)), 'int32');
      const term = tf.reshape(tf.matMul(tf.oneHot(clamped, POSITION_TERMS).toFloat(), positionBias), [-1]);
      return tf.add(this.pairedQ(states, items), term) as tf.Tensor1D;
    });
  }

  /** p(k) for every slate position k: [POSITION_TERMS]. */
  positionTerms(): tf.Tensor1D {
    return tf.tidy(() => tf.reshape(this.parameter('position/bias'), [-1]) as tf.Tensor1D);
  }

  /** Q(s_i, a_i) for paired rows: [batch, stateDim] x [batch, itemDim] -> [batch]. */
  pairedQ(states: tf.Tensor2D, items: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const f = this.stateEmbedding(states);
      const { embeddings, biases } = this.itemEmbedding(items);
      return tf.add(tf.sum(tf.mul(f, embeddings), 1), biases) as tf.Tensor1D;
    });
  }

  /** Q(s_i, a_j) for every state and every item: [batch, stateDim] x [items, itemDim] -> [batch, items]. */
  allPairsQ(states: tf.Tensor2D, items: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const f = this.stateEmbedding(states);
      const { embeddings, biases } = this.itemEmbedding(items);
      // An explicit transpose, then a plain product: the wasm backend's matMul with a transposed operand
      // is several times slower than the two together.
      return tf.add(tf.matMul(f, tf.transpose(embeddings)), biases) as tf.Tensor2D;
    });
  }

  /** All weights as one flat vector, in layout order. */
  getWeights(): Float32Array {
    const flat = new Float32Array(this.size);
    let offset = 0;
    for (const variable of this.variables) {
      const values = variable.dataSync() as Float32Array;
      flat.set(values, offset);
      offset += values.length;
    }
    return flat;
  }

  /** Replaces all weights from one flat vector (atomically from the caller's view: no await inside). */
  setWeights(flat: Float32Array): void {
    if (flat.length !== this.size) throw new RangeError(`expected ${this.size} weights, got ${flat.length}`);
    let offset = 0;
    for (const [index, variable] of this.variables.entries()) {
      const count = variable.size;
      tf.tidy(() => variable.assign(tf.tensor(flat.subarray(offset, offset + count), this.layout[index].shape)));
      offset += count;
    }
  }

  /** Copies another network's weights (target sync). */
  copyFrom(other: QNetwork): void {
    for (const [index, variable] of this.variables.entries()) variable.assign(other.variables[index]);
  }

  dispose(): void {
    for (const variable of this.variables) variable.dispose();
  }
}
