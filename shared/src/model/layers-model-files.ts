import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from './tensor-backend';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/**
 * Saves a LayersModel to `dir` in the TensorFlow.js LayersModel format (model.json + weights.bin), the
 * files tf.loadLayersModel('file://dir/model.json') reads with tfjs-node, or any http server serves.
 * Works on every backend (the file:// handler itself needs tfjs-node).
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      fs.writeFileSync(path.join(dir, WEIGHTS_FILE), Buffer.from(data));
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
      };
      fs.writeFileSync(path.join(dir, MODEL_FILE), `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Loads a LayersModel saved in the LayersModel format from `dir` (or a path to its model.json) with tf.loadLayersModel. */
export async function loadLayersModel(dirOrModelJson: string): Promise<tf.LayersModel> {
  const modelJson = dirOrModelJson.endsWith('.json') ? dirOrModelJson : path.join(dirOrModelJson, MODEL_FILE);
  const dir = path.dirname(modelJson);
  return tf.loadLayersModel({
    load: async () => {
      const json = JSON.parse(fs.readFileSync(modelJson, 'utf8')) as tf.io.ModelJSON;
      const buffers = json.weightsManifest.flatMap((group) => group.paths.map((file) => fs.readFileSync(path.join(dir, file))));
      const weightData = tf.io.concatenateArrayBuffers(buffers.map((buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer));
      return tf.io.getModelArtifactsForJSON(json, async () => [json.weightsManifest.flatMap((group) => group.weights), weightData]);
    },
  });
}
