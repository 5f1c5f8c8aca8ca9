import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../logging/logger';

export { tf };

/** Backends in order of preference (README, Tensor backend). */
export type TensorBackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

function hasCudaGpu(): boolean {
  return fs.existsSync('/proc/driver/nvidia/gpus') && fs.readdirSync('/proc/driver/nvidia/gpus').length > 0;
}

function tryRequire(name: string): boolean {
  try {
    require(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks and initialises the tensor backend: @tensorflow/tfjs-node-gpu when it is installed and a CUDA GPU
 * is present, else @tensorflow/tfjs-node, else @tensorflow/tfjs-backend-wasm, else the pure-JS CPU
 * backend. TENSOR_BACKEND (one of the names above) forces a choice, e.g. `cpu` for a comparison.
 * Idempotent: later calls return the backend already chosen.
 */
export async function initTensorBackend(logger?: Logger, forced = process.env.TENSOR_BACKEND): Promise<TensorBackendName> {
  if (chosen !== null && (forced === undefined || forced === chosen)) return chosen;
  const order: TensorBackendName[] = forced ? [forced as TensorBackendName] : ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (await activate(name)) {
      chosen = name;
      logger?.info({ backend: name, tfjs: tf.version.tfjs }, 'tensor backend selected');
      return name;
    }
  }
  throw new Error(`no tensor backend could start (tried ${order.join(', ')})`);
}

let chosen: TensorBackendName | null = null;

async function activate(name: TensorBackendName): Promise<boolean> {
  switch (name) {
    case 'tensorflow-gpu':
      return hasCudaGpu() && tryRequire('@tensorflow/tfjs-node-gpu') && (await tf.setBackend('tensorflow'));
    case 'tensorflow':
      return tryRequire('@tensorflow/tfjs-node') && (await tf.setBackend('tensorflow'));
    case 'wasm':
      return tryRequire('@tensorflow/tfjs-backend-wasm') && (await tf.setBackend('wasm').catch(() => false));
    case 'cpu':
      return tf.setBackend('cpu');
    default:
      throw new Error(`unknown TENSOR_BACKEND "${String(name)}": use tensorflow-gpu, tensorflow, wasm or cpu`);
  }
}
