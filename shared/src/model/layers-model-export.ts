import { POSITION_TERMS, type QNetwork, type QNetworkSpec, parameterLayout, parameterCount } from './q-network';
import { tf } from './tensor-backend';

/** What an exported model carries beside its layers, so an import can check it fits. */
export interface ExportMetadata {
  /** The layout hash of the network it came from (QNetwork.layoutHash). */
  layoutHash: string;
  hiddenSizes: number[];
  stateDim: number;
  itemDim: number;
  /** The weights version exported (null when unknown). */
  version: number | null;
  /** p(k) per slate position: learned in training, not part of Q (kept so an import is complete). */
  positionTerms: number[];
}

/**
 * The Q-network as a TensorFlow.js LayersModel with inputs `state` [batch, stateDim] and `item` [batch,
 * itemDim] and output Q(s, a) [batch, 1] = <f(s), g(a)> + b(a): the same function the actors rank by, in
 * a format any tfjs (or Keras, through the converter) user can load with tf.loadLayersModel.
 */
export function toLayersModel(spec: QNetworkSpec, weights: Float32Array, version: number | null, layoutHash: string): tf.LayersModel {
  const layout = parameterLayout(spec);
  if (weights.length !== parameterCount(layout)) throw new RangeError(`expected ${parameterCount(layout)} weights, got ${weights.length}`);
  const [h1, h2, embedding] = spec.hiddenSizes;
  const state = tf.input({ shape: [spec.stateDim], name: 'state' });
  const item = tf.input({ shape: [spec.itemDim], name: 'item' });
  const dense1 = tf.layers.dense({ units: h1, activation: 'relu', name: 'state_dense1' });
  const dense2 = tf.layers.dense({ units: h2, activation: 'relu', name: 'state_dense2' });
  const dense3 = tf.layers.dense({ units: embedding, name: 'state_dense3' });
  const itemEmbedding = tf.layers.dense({ units: embedding, name: 'item_embedding' });
  const itemBias = tf.layers.dense({ units: 1, name: 'item_bias' });
  const f = dense3.apply(dense2.apply(dense1.apply(state))) as tf.SymbolicTensor;
  const g = itemEmbedding.apply(item) as tf.SymbolicTensor;
  const interaction = tf.layers.dot({ axes: 1, name: 'interaction' }).apply([f, g]) as tf.SymbolicTensor;
  const q = tf.layers.add({ name: 'q' }).apply([interaction, itemBias.apply(item) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [state, item], outputs: q, name: 'rec_q_network' });

  const tensors = new Map<string, Float32Array>();
  let offset = 0;
  for (const { name, shape } of layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, weights.subarray(offset, offset + size));
    offset += size;
  }
  const set = (layer: tf.layers.Layer, kernelName: string, biasName: string) => {
    const [kernel, bias] = layer.getWeights();
    layer.setWeights([tf.tensor(tensors.get(kernelName)!, kernel.shape), tf.tensor(tensors.get(biasName)!, bias.shape)]);
  };
  set(dense1, 'state/dense1/kernel', 'state/dense1/bias');
  set(dense2, 'state/dense2/kernel', 'state/dense2/bias');
  set(dense3, 'state/dense3/kernel', 'state/dense3/bias');
  set(itemEmbedding, 'item/embedding/kernel', 'item/embedding/bias');
  set(itemBias, 'item/bias/kernel', 'item/bias/bias');
  const metadata: ExportMetadata = {
    layoutHash,
    hiddenSizes: [...spec.hiddenSizes],
    stateDim: spec.stateDim,
    itemDim: spec.itemDim,
    version,
    positionTerms: Array.from(tensors.get('position/bias')!),
  };
  model.setUserDefinedMetadata({ rec: metadata });
  return model;
}

/** The network's flat weights (layout order) from a LayersModel made by toLayersModel. */
export function fromLayersModel(network: QNetwork, model: tf.LayersModel): Float32Array {
  const metadata = (model.getUserDefinedMetadata() as { rec?: ExportMetadata } | undefined)?.rec;
  const parts: Float32Array[] = [];
  for (const name of ['state_dense1', 'state_dense2', 'state_dense3', 'item_embedding', 'item_bias']) {
    let layer: tf.layers.Layer;
    try {
      layer = model.getLayer(name);
    } catch {
      throw new Error(`the model has no layer "${name}": not a model exported by rec export`);
    }
    for (const tensor of layer.getWeights()) parts.push(tensor.dataSync() as Float32Array);
  }
  parts.push(Float32Array.from(metadata?.positionTerms ?? new Array<number>(POSITION_TERMS).fill(0)));
  const flat = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    flat.set(part, offset);
    offset += part.length;
  }
  if (flat.length !== network.size) throw new Error(`the model holds ${flat.length} weights, this network ${network.size} (another MODEL_HIDDEN_SIZES?)`);
  return flat;
}
