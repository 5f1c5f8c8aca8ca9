import type { LiveCatalog } from '@rec/shared';
import { tf } from '@rec/shared/model';

/** A candidate set for one step; `disposable` when the caller must dispose it after the step. */
export interface CandidateSet {
  tensor: tf.Tensor2D;
  disposable: boolean;
}

/**
 * The items the Double-DQN bootstrap ranges over at s': the available catalog, kept as one tensor until
 * the catalog changes, or, above `limit` items, a fresh uniform sample of `limit` of them every step.
 */
export class TargetCandidates {
  private cache: { revision: number; tensor: tf.Tensor2D } | null = null;

  constructor(
    private readonly catalog: LiveCatalog,
    private readonly limit: number,
    private readonly itemDim: number,
    private readonly random: () => number,
  ) {}

  next(): CandidateSet {
    const items = this.catalog.available();
    const count = items.ids.length;
    const width = this.itemDim;
    if (count <= this.limit) {
      if (this.cache?.revision !== items.revision) {
        this.cache?.tensor.dispose();
        this.cache = { revision: items.revision, tensor: tf.tensor2d(items.vectors, [count, width]) };
      }
      return { tensor: this.cache.tensor, disposable: false };
    }
    const sampled = new Float32Array(this.limit * width);
    for (let row = 0; row < this.limit; row += 1) {
      const source = Math.floor(this.random() * count);
      sampled.set(items.vectors.subarray(source * width, (source + 1) * width), row * width);
    }
    return { tensor: tf.tensor2d(sampled, [this.limit, width]), disposable: true };
  }

  dispose(): void {
    this.cache?.tensor.dispose();
    this.cache = null;
  }
}
