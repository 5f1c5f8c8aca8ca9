import type { AvailableItems } from '@rec/shared';
import { tf, type QNetwork } from '@rec/shared/model';

/**
 * Scores whole micro-batches of requests against the whole available catalog: Q = f(S) G^T + b, one
 * matrix product. The item side (G, b) only changes with the weights or the catalog, so it is cached
 * and recomputed when either moves.
 */
export class CatalogScorer {
  private cacheKey = '';
  private itemEmbeddings: tf.Tensor2D | null = null;
  private itemBiases: tf.Tensor1D | null = null;

  constructor(private readonly network: QNetwork) {}

  /** Q-values of `batch` states against `items`: [batch * items.ids.length], row-major. */
  score(states: Float32Array, batch: number, items: AvailableItems, weightsVersion: number): Float32Array {
    if (items.ids.length === 0) return new Float32Array(0);
    this.refreshItemSide(items, weightsVersion);
    return tf.tidy(() => {
      const stateTensor = tf.tensor2d(states, [batch, this.network.spec.stateDim]);
      const embeddings = this.network.stateEmbedding(stateTensor);
      const q = tf.add(tf.matMul(embeddings, this.itemEmbeddings!, false, true), this.itemBiases!);
      return q.dataSync() as Float32Array;
    });
  }

  /** Drops the cached item side (after a weights swap). */
  invalidate(): void {
    this.cacheKey = '';
  }

  private refreshItemSide(items: AvailableItems, weightsVersion: number): void {
    const key = `${weightsVersion}/${items.revision}`;
    if (key === this.cacheKey) return;
    this.itemEmbeddings?.dispose();
    this.itemBiases?.dispose();
    const { embeddings, biases } = tf.tidy(() =>
      this.network.itemEmbedding(tf.tensor2d(items.vectors, [items.ids.length, this.network.spec.itemDim])),
    );
    this.itemEmbeddings = embeddings;
    this.itemBiases = biases;
    this.cacheKey = key;
  }
}
