import { createHash } from 'node:crypto';
import { tf } from './tensor-backend';

/**
 * The shape of the Q-network. Q(s, a) = <f(s), g(a)> + b(a): f is the state tower (three fully connected
 * layers, ReLU between them, the last one linear and `hiddenSizes[2]` wide: the embedding), g is a linear
 * item tower to the same embedding and b a linear item bias, both on item features. One matrix product
 * scores the whole catalog, and an item that appears mid-run is scored without retraining.
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
  itemDim: number;
  /** Widths of the state tower's three layers; the last is the embedding width. */
  hiddenSizes: number[];
  /** Seed of the initial weights. */
  seed: number;
}

/** One parameter tensor's name and shape, in the order of the flat weight vector. */
export interface ParameterShape {
  name: string;
  shape: number[];
}

export function parameterLayout(spec: QNetworkSpec): ParameterShape[] {
  if (spec.hiddenSizes.length !== 3) throw new Error(`the state tower has three layers; got hiddenSizes ${spec.hiddenSizes.join(',')}`);
  const [h1, h2, embedding] = spec.hiddenSizes;
  return [
    { name: 'state/dense1/kernel', shape: [spec.stateDim, h1] },
    { name: 'state/dense1/bias', shape: [h1] },
    { name: 'state/dense2/kernel', shape: [h1, h2] },
    { name: 'state/dense2/bias', shape: [h2] },
    { name: 'state/dense3/kernel', shape: [h2, embedding] },
    { name: 'state/dense3/bias', shape: [embedding] },
    { name: 'item/embedding/kernel', shape: [spec.itemDim, embedding] },
    { name: 'item/embedding/bias', shape: [embedding] },
    { name: 'item/bias/kernel', shape: [spec.itemDim, 1] },
    { name: 'item/bias/bias', shape: [1] },
    { name: 'position/bias', shape: [POSITION_TERMS, 1] },
  ];
}

export function parameterCount(layout: ParameterShape[]): number {
  return layout.reduce((sum, { shape }) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/** Identifies a layout: weights or gradients of another layout are rejected. */
export function layoutHashOf(layout: ParameterShape[]): string {
  return createHash('sha256').update(JSON.stringify(layout)).digest('hex').slice(0, 16);
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

/** tfjs variable names are process-wide; each network instance gets its own namespace. */
let instances = 0;

/** The network's trainable variables and its forward passes. */
export class QNetwork {
  readonly layout: ParameterShape[];
  readonly layoutHash: string;
  readonly size: number;
  readonly variables: tf.Variable[];

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
        const isBias = shape.length === 1 || parameter.endsWith('/bias') || parameter.startsWith('position');
        // He initialisation for ReLU layers, Glorot-like for the linear heads; biases start at zero.
        const initial = isBias
          ? tf.zeros(shape)
          : tf.randomNormal(shape, 0, Math.sqrt((parameter.startsWith('state/dense3') || parameter.startsWith('item') ? 1 : 2) / shape[0]), 'float32', seed++);
        return tf.variable(initial, true, `${scope}/${parameter}`);
      }),
    );
  }

  /** f(s): [batch, stateDim] -> [batch, embedding]. */
  stateEmbedding(states: tf.Tensor2D): tf.Tensor2D {
    const [w1, b1, w2, b2, w3, b3] = this.variables;
    return tf.tidy(() => {
      const h1 = tf.relu(tf.add(plainMatMul(states, w1), b1));
      const h2 = tf.relu(tf.add(plainMatMul(h1, w2), b2));
      return tf.add(plainMatMul(h2, w3), b3) as tf.Tensor2D;
    });
  }

  /** g(a) and b(a): [items, itemDim] -> embeddings [items, embedding] and biases [items]. */
  itemEmbedding(items: tf.Tensor2D): { embeddings: tf.Tensor2D; biases: tf.Tensor1D } {
    const [, , , , , , wi, bi, wb, bb] = this.variables;
    return tf.tidy(() => ({
      embeddings: tf.add(plainMatMul(items, wi), bi) as tf.Tensor2D,
      biases: tf.reshape(tf.add(plainMatMul(items, wb), bb), [-1]) as tf.Tensor1D,
    }));
  }

  /**
   * Q(s_i, a_i) + p(k_i) for items shown at positions k_i: what the training loss compares with the reward.
   * The position term is read through a one-hot product (its gradient needs no gather kernel).
   */
  shownQ(states: tf.Tensor2D, items: tf.Tensor2D, positions: Int32Array): tf.Tensor1D {
    const positionBias = this.variables[10] as tf.Tensor2D;
    return tf.tidy(() => {
      const clamped = tf.tensor1d(Int32Array.from(positions, (k) => Math.min(Math.max(k, 0), POSITION_TERMS - 1)), 'int32');
      const term = tf.reshape(tf.matMul(tf.oneHot(clamped, POSITION_TERMS).toFloat(), positionBias), [-1]);
      return tf.add(this.pairedQ(states, items), term) as tf.Tensor1D;
    });
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
