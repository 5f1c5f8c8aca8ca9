import { itemIdRow } from '../state/item-encoder';
import { POSITION_TERMS, type QNetwork, type QNetworkSpec, parameterLayout, parameterCount } from './q-network';
import { tf } from './tensor-backend';

/** What an exported model carries beside its layers, so an import can check it fits. */
export interface ExportMetadata {
  /** The layout hash of the network it came from (QNetwork.layoutHash). */
  layoutHash: string;
  hiddenSizes: number[];
  stateDim: number;
  itemDim: number;
  itemIdBuckets: number;
  itemIdDim: number;
  /** The weights version exported (null when unknown). */
  version: number | null;
  /** p(k) per slate position: learned in training, not part of Q (kept so an import is complete). */
  positionTerms: number[];
  /** The input normaliser in the weights (also built into the normaliser layers; kept so an import is exact). */
  normalizer: { stateMean: number[]; stateScale: number[]; itemMean: number[]; itemScale: number[] };
}

/** The flat weights as named views, in layout order. */
function namedParameters(spec: QNetworkSpec, weights: Float32Array): Map<string, Float32Array> {
  const layout = parameterLayout(spec);
  if (weights.length !== parameterCount(layout)) throw new RangeError(`expected ${parameterCount(layout)} weights, got ${weights.length}`);
  const tensors = new Map<string, Float32Array>();
  let offset = 0;
  for (const { name, shape } of layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, weights.subarray(offset, offset + size));
    offset += size;
  }
  return tensors;
}

/** The row of the per-item table an encoded item (its identity slot) reads: the exported model's `itemRow` input. */
export function itemRowsOf(spec: QNetworkSpec, items: Float32Array): Float32Array {
  const count = items.length / spec.itemDim;
  return Float32Array.from({ length: count }, (_, row) => itemIdRow(items[row * spec.itemDim + spec.itemDim - 1], spec.itemIdBuckets));
}

/**
 * The Q-network as a TensorFlow.js LayersModel with inputs `state` [batch, stateDim], `item` [batch,
 * itemDim] (the encoded item) and, when the network has per-item rows, `itemRow` [batch, 1] (the item's
 * row of the table: itemRowsOf), and output Q(s, a) [batch, 1] = <f(s), [g(x_a); e_a]> + b(x_a) + beta_a:
 * the same function the actors rank by, in a format any tfjs (or Keras, through the converter) user can
 * load with tf.loadLayersModel. The input normaliser is a dense layer per input (diagonal scale, shifted
 * mean; the item's selects its dense features and drops the identity slot).
 */
export function toLayersModel(spec: QNetworkSpec, weights: Float32Array, version: number | null, layoutHash: string): tf.LayersModel {
  const tensors = namedParameters(spec, weights);
  const [h1, h2, embedding] = spec.hiddenSizes;
  const features = spec.itemDim - 1;
  const idDim = spec.itemIdBuckets > 0 ? spec.itemIdDim : 0;
  const state = tf.input({ shape: [spec.stateDim], name: 'state' });
  const item = tf.input({ shape: [spec.itemDim], name: 'item' });
  const itemRow = idDim > 0 ? tf.input({ shape: [1], name: 'itemRow' }) : null;
  const stateNormalizer = tf.layers.dense({ units: spec.stateDim, name: 'state_normalizer' });
  const itemNormalizer = tf.layers.dense({ units: features, name: 'item_normalizer' });
  const dense1 = tf.layers.dense({ units: h1, activation: 'relu', name: 'state_dense1' });
  const dense2 = tf.layers.dense({ units: h2, activation: 'relu', name: 'state_dense2' });
  const dense3 = tf.layers.dense({ units: embedding + idDim, name: 'state_dense3' });
  const itemEmbedding = tf.layers.dense({ units: embedding, name: 'item_embedding' });
  const itemBias = tf.layers.dense({ units: 1, name: 'item_bias' });
  const f = dense3.apply(dense2.apply(dense1.apply(stateNormalizer.apply(state)))) as tf.SymbolicTensor;
  const x = itemNormalizer.apply(item) as tf.SymbolicTensor;
  let g = itemEmbedding.apply(x) as tf.SymbolicTensor;
  const biases: tf.SymbolicTensor[] = [itemBias.apply(x) as tf.SymbolicTensor];
  let ownEmbedding: tf.layers.Layer | null = null;
  let ownBias: tf.layers.Layer | null = null;
  if (itemRow !== null) {
    ownEmbedding = tf.layers.embedding({ inputDim: spec.itemIdBuckets, outputDim: idDim, name: 'item_id_embedding' });
    ownBias = tf.layers.embedding({ inputDim: spec.itemIdBuckets, outputDim: 1, name: 'item_id_bias' });
    const e = tf.layers.flatten({ name: 'item_id_embedding_flat' }).apply(ownEmbedding.apply(itemRow)) as tf.SymbolicTensor;
    g = tf.layers.concatenate({ axis: 1, name: 'item_side' }).apply([g, e]) as tf.SymbolicTensor;
    biases.push(tf.layers.flatten({ name: 'item_id_bias_flat' }).apply(ownBias.apply(itemRow)) as tf.SymbolicTensor);
  }
  const interaction = tf.layers.dot({ axes: 1, name: 'interaction' }).apply([f, g]) as tf.SymbolicTensor;
  const q = tf.layers.add({ name: 'q' }).apply([interaction, ...biases]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: itemRow === null ? [state, item] : [state, item, itemRow], outputs: q, name: 'rec_q_network' });

  const get = (name: string) => tensors.get(name)!;
  const set = (layer: tf.layers.Layer, kernelName: string, biasName: string) => {
    const [kernel, bias] = layer.getWeights();
    layer.setWeights([tf.tensor(get(kernelName), kernel.shape), tf.tensor(get(biasName), bias.shape)]);
  };
  const normalizerLayer = (layer: tf.layers.Layer, inputs: number, mean: Float32Array, scale: Float32Array) => {
    const kernel = new Float32Array(inputs * mean.length);
    for (let index = 0; index < mean.length; index += 1) kernel[index * mean.length + index] = scale[index];
    layer.setWeights([tf.tensor2d(kernel, [inputs, mean.length]), tf.tensor1d(Float32Array.from(mean, (value, index) => -value * scale[index]))]);
  };
  normalizerLayer(stateNormalizer, spec.stateDim, get('normalizer/state/mean'), get('normalizer/state/scale'));
  normalizerLayer(itemNormalizer, spec.itemDim, get('normalizer/item/mean'), get('normalizer/item/scale'));
  set(dense1, 'state/dense1/kernel', 'state/dense1/bias');
  set(dense2, 'state/dense2/kernel', 'state/dense2/bias');
  set(dense3, 'state/dense3/kernel', 'state/dense3/bias');
  set(itemEmbedding, 'item/embedding/kernel', 'item/embedding/bias');
  set(itemBias, 'item/bias/kernel', 'item/bias/bias');
  ownEmbedding?.setWeights([tf.tensor2d(get('item/id/embedding'), [spec.itemIdBuckets, idDim])]);
  ownBias?.setWeights([tf.tensor2d(get('item/id/bias'), [spec.itemIdBuckets, 1])]);
  const metadata: ExportMetadata = {
    layoutHash,
    hiddenSizes: [...spec.hiddenSizes],
    stateDim: spec.stateDim,
    itemDim: spec.itemDim,
    itemIdBuckets: spec.itemIdBuckets,
    itemIdDim: spec.itemIdDim,
    version,
    positionTerms: Array.from(get('position/bias')),
    normalizer: {
      stateMean: Array.from(get('normalizer/state/mean')),
      stateScale: Array.from(get('normalizer/state/scale')),
      itemMean: Array.from(get('normalizer/item/mean')),
      itemScale: Array.from(get('normalizer/item/scale')),
    },
  };
  model.setUserDefinedMetadata({ rec: metadata });
  return model;
}

/** The network's flat weights (layout order) from a LayersModel made by toLayersModel. */
export function fromLayersModel(network: QNetwork, model: tf.LayersModel): Float32Array {
  const metadata = (model.getUserDefinedMetadata() as { rec?: ExportMetadata } | undefined)?.rec;
  if (metadata?.normalizer === undefined) throw new Error('the model carries no rec metadata (normaliser, position terms): not a model exported by rec export');
  const layerWeights = (name: string): Float32Array[] => {
    let layer: tf.layers.Layer;
    try {
      layer = model.getLayer(name);
    } catch {
      throw new Error(`the model has no layer "${name}": not a model exported by rec export, or another MODEL_ITEM_ID_BUCKETS`);
    }
    return layer.getWeights().map((tensor) => tensor.dataSync() as Float32Array);
  };
  const byName = new Map<string, Float32Array>([
    ['normalizer/state/mean', Float32Array.from(metadata.normalizer.stateMean)],
    ['normalizer/state/scale', Float32Array.from(metadata.normalizer.stateScale)],
    ['normalizer/item/mean', Float32Array.from(metadata.normalizer.itemMean)],
    ['normalizer/item/scale', Float32Array.from(metadata.normalizer.itemScale)],
    ['position/bias', Float32Array.from(metadata.positionTerms ?? new Array<number>(POSITION_TERMS).fill(0))],
  ]);
  for (const [layer, kernel, bias] of [
    ['state_dense1', 'state/dense1/kernel', 'state/dense1/bias'],
    ['state_dense2', 'state/dense2/kernel', 'state/dense2/bias'],
    ['state_dense3', 'state/dense3/kernel', 'state/dense3/bias'],
    ['item_embedding', 'item/embedding/kernel', 'item/embedding/bias'],
    ['item_bias', 'item/bias/kernel', 'item/bias/bias'],
  ]) {
    const [kernelValues, biasValues] = layerWeights(layer);
    byName.set(kernel, kernelValues);
    byName.set(bias, biasValues);
  }
  if (network.spec.itemIdBuckets > 0) {
    byName.set('item/id/embedding', layerWeights('item_id_embedding')[0]);
    byName.set('item/id/bias', layerWeights('item_id_bias')[0]);
  }
  const flat = new Float32Array(network.size);
  let offset = 0;
  for (const { name, shape } of network.layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = byName.get(name);
    if (values === undefined || values.length !== size) {
      throw new Error(`the model's ${name} holds ${values?.length ?? 0} values, this network ${size} (another MODEL_HIDDEN_SIZES or MODEL_ITEM_ID_*?)`);
    }
    flat.set(values, offset);
    offset += size;
  }
  return flat;
}
