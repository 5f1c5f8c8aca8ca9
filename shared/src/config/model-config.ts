import { ConfigError } from '../errors/errors';
import { ITEM_DIM } from '../state/item-encoder';
import { STATE_DIM } from '../state/state-encoder';
import { readSettings } from './read-settings';
import { setting, type SettingValues } from './setting';

/** The Q-network's settings, shared by every service that holds the model (they must agree). */
export const MODEL_SETTINGS = {
  hiddenSizes: setting.intList('MODEL_HIDDEN_SIZES', [256, 256, 64], 'state tower widths (three layers; the last is the embedding)', 3),
  itemIdBuckets: setting.int('MODEL_ITEM_ID_BUCKETS', 4096, [0, 1 << 24], 'rows of the per-item embedding table, looked up by hashed item id (a power of two; 0 = no per-item parameters)'),
  itemIdDim: setting.int('MODEL_ITEM_ID_DIM', 16, [1, 256], 'width of a per-item embedding row'),
  seed: setting.int('MODEL_SEED', 7, [0, 2 ** 31 - 1], 'seed of the initial weights'),
  // Read by initTensorBackend; declared here so a bad value stops the process at start and is documented.
  tensorBackend: setting.choice('TENSOR_BACKEND', '', ['', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], "force a tensor backend; '' picks the best available"),
};

/**
 * Adam's learning rate: the parameter server applies updates with it, and a learner that looks ahead
 * applies its own updates to its copy with it (so the two trajectories agree). Declared once here, read by both.
 */
export const OPTIMIZER_SETTINGS = {
  learningRate: setting.number('PS_LEARNING_RATE', 3e-3, [1e-8, 1], "Adam's learning rate, read by the parameter server and by learners that look ahead (3e-3: the per-item rows see few updates each; tuned on seeds 1-5)"),
};

/** The Q-network's shape: the encoder's dimensions and the declared settings. */
export type ModelShapeConfig = { stateDim: number; itemDim: number } & SettingValues<typeof MODEL_SETTINGS>;

export function readModelShapeConfig(environment: NodeJS.ProcessEnv = process.env): ModelShapeConfig {
  const settings = readSettings(MODEL_SETTINGS, environment);
  const buckets = settings.itemIdBuckets;
  if (buckets !== 0 && (buckets & (buckets - 1)) !== 0) throw new ConfigError(`MODEL_ITEM_ID_BUCKETS must be 0 or a power of two, got ${buckets}`);
  return { stateDim: STATE_DIM, itemDim: ITEM_DIM, ...settings };
}
