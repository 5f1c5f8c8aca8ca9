import type { CommandIo } from '../command';
import type { Connections } from '../connections';
import { historicWeights, modelShape } from './model-weights';

/**
 * A version from the weights history as a TensorFlow.js LayersModel (what `rec export` writes and `rec
 * evaluate` scores with), built on the tensor backend the environment names. Resolves to null, after
 * telling the operator why, when the version's layout is not the one MODEL_HIDDEN_SIZES gives.
 */
export async function versionLayersModel(connections: Connections, version: number | null, io: CommandIo, command: string) {
  const weights = await historicWeights(connections, version);
  const { QNetwork, initTensorBackend, toLayersModel } = await import('@rec/shared/model');
  await initTensorBackend(undefined, io.environment.TENSOR_BACKEND || undefined);
  const spec = modelShape(io.environment);
  const network = new QNetwork(spec, command);
  try {
    if (network.layoutHash !== weights.layoutHash) {
      io.err(`rec ${command}: version ${weights.version} has layout ${weights.layoutHash}, MODEL_HIDDEN_SIZES=${spec.hiddenSizes.join(',')} gives ${network.layoutHash}: set the services' MODEL_HIDDEN_SIZES`);
      return null;
    }
    return { version: weights.version, model: toLayersModel(spec, weights.values, weights.version, weights.layoutHash) };
  } finally {
    network.dispose();
  }
}
