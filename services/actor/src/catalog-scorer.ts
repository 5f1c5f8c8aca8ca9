import type { AvailableItems } from '@rec/shared';
import { tf, type QNetwork } from '@rec/shared/model';

/**
 * Scores whole micro-batches of requests against the whole available catalog: Q = f(S) G^T + b, one
 * matrix product. The item side (G^T, b) only changes with the weights or the catalog, so it is cached
 * and recomputed when either moves. G is cached already transposed, [embedding, items]: the wasm
 * backend's matMul with a transposed operand is about ten times slower than on a plain one.
 */
export class CatalogScorer {
  private cacheKey = '';
  private itemEmbeddingsT: tf.Tensor2D | null = null;
  private itemBiases: tf.Tensor1D | null = null;
  /** The item embeddings as unit rows on the host, [items * width], for similarity (read lazily). */
  private unitRows: { key: string; width: number; values: Float32Array } | null = null;

  constructor(private readonly network: QNetwork) {}

  /** Q-values of `batch` states against `items`: [batch * items.ids.length], row-major. */
  score(states: Float32Array, batch: number, items: AvailableItems, weightsVersion: number): Float32Array {
    if (items.ids.length === 0) return new Float32Array(0);
    this.refreshItemSide(items, weightsVersion);
    const q = tf.tidy(() => {
      const stateTensor = tf.tensor2d(states, [batch, this.network.spec.stateDim]);
      const embeddings = this.network.stateEmbedding(stateTensor);
      return tf.add(tf.matMul(embeddings, this.itemEmbeddingsT!), this.itemBiases!);
    });
    // Read outside tidy: tidy walks whatever its function returns, a typed array element by element
    // (seconds for a 256 x 10,000 score matrix).
    try {
      return q.dataSync() as Float32Array;
    } finally {
      q.dispose();
    }
  }

  /**
   * Cosine similarity of two available items (rows of `items`) in the network's own item embedding
   * [g(x); e]: items the model treats alike are alike here, whatever their published features.
   */
  similarity(items: AvailableItems, weightsVersion: number, a: number, b: number): number {
    this.refreshItemSide(items, weightsVersion);
    if (this.unitRows?.key !== this.cacheKey) {
      const [width, count] = this.itemEmbeddingsT!.shape;
      const transposed = this.itemEmbeddingsT!.dataSync() as Float32Array;
      const values = new Float32Array(count * width);
      for (let item = 0; item < count; item += 1) {
        let norm = 0;
        for (let column = 0; column < width; column += 1) norm += transposed[column * count + item] ** 2;
        const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        for (let column = 0; column < width; column += 1) values[item * width + column] = transposed[column * count + item] * scale;
      }
      this.unitRows = { key: this.cacheKey, width, values };
    }
    const { width, values } = this.unitRows;
    let dot = 0;
    for (let column = 0; column < width; column += 1) dot += values[a * width + column] * values[b * width + column];
    return dot;
  }

  /** Drops the cached item side (after a weights swap). */
  invalidate(): void {
    this.cacheKey = '';
  }

  private refreshItemSide(items: AvailableItems, weightsVersion: number): void {
    const key = `${weightsVersion}/${items.revision}`;
    if (key === this.cacheKey) return;
    this.itemEmbeddingsT?.dispose();
    this.itemBiases?.dispose();
    const { embeddingsT, biases } = tf.tidy(() => {
      const { embeddings, biases: itemBiases } = this.network.itemEmbedding(tf.tensor2d(items.vectors, [items.ids.length, this.network.spec.itemDim]));
      return { embeddingsT: tf.transpose(embeddings) as tf.Tensor2D, biases: itemBiases };
    });
    this.itemEmbeddingsT = embeddingsT;
    this.itemBiases = biases;
    this.cacheKey = key;
  }
}
