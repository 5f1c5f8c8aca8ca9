import type { QNetwork } from './q-network';
import { tf } from './tensor-backend';

/** A serialisable copy of the optimizer's slots (Adam's step count and moments). */
export interface OptimizerState {
  slots: { name: string; shape: number[]; values: number[] | Float32Array }[];
}

/**
 * Adam over a QNetwork's variables, driven by flat gradients (from a learner, through the parameter
 * server). Its state can be exported and restored, so a restarted parameter server resumes exactly.
 */
export class AdamParameterOptimizer {
  private readonly optimizer: tf.AdamOptimizer;

  constructor(
    private readonly network: QNetwork,
    learningRate: number,
  ) {
    this.optimizer = tf.train.adam(learningRate);
  }

  /** Applies one flat gradient (layout order) to the network's weights. */
  apply(flatGradients: Float32Array): void {
    if (flatGradients.length !== this.network.size) {
      throw new RangeError(`expected ${this.network.size} gradient values, got ${flatGradients.length}`);
    }
    tf.tidy(() => {
      let offset = 0;
      const named: { name: string; tensor: tf.Tensor }[] = [];
      this.network.variables.forEach((variable, index) => {
        // The normalisers are set by their owner, never moved by the optimizer.
        if (variable.trainable) named.push({ name: variable.name, tensor: tf.tensor(flatGradients.subarray(offset, offset + variable.size), this.network.layout[index].shape) });
        offset += variable.size;
      });
      this.optimizer.applyGradients(named);
    });
  }

  async exportState(): Promise<OptimizerState> {
    const weights = await this.optimizer.getWeights();
    return {
      slots: weights.map(({ name, tensor }) => ({ name, shape: tensor.shape, values: tensor.dataSync() as Float32Array })),
    };
  }

  /** Frees the optimizer's slot variables (before it is replaced by a fresh one). */
  dispose(): void {
    this.optimizer.dispose();
  }

  async importState(state: OptimizerState): Promise<void> {
    await this.optimizer.setWeights(
      state.slots.map(({ name, shape, values }) => ({ name, tensor: tf.tensor(Float32Array.from(values), shape) })),
    );
  }
}
