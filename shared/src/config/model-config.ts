import { ITEM_DIM } from '../state/item-encoder';
import { STATE_DIM } from '../state/state-encoder';
import { readSettings } from './read-settings';
import { setting, type SettingValues } from './setting';

/** The Q-network's settings, shared by every service that holds the model (they must agree). */
export const MODEL_SETTINGS = {
  hiddenSizes: setting.intList('MODEL_HIDDEN_SIZES', [256, 256, 64], 'state tower widths (three layers; the last is the embedding)', 3),
  seed: setting.int('MODEL_SEED', 7, [0, 2 ** 31 - 1], 'seed of the initial weights'),
  // Read by initTensorBackend; declared here so a bad value stops the process at start and is documented.
  tensorBackend: setting.choice('TENSOR_BACKEND', '', ['', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], "force a tensor backend; '' picks the best available"),
};

/** The Q-network's shape: the encoder's dimensions and the declared settings. */
export type ModelShapeConfig = { stateDim: number; itemDim: number } & SettingValues<typeof MODEL_SETTINGS>;

export function readModelShapeConfig(environment: NodeJS.ProcessEnv = process.env): ModelShapeConfig {
  return { stateDim: STATE_DIM, itemDim: ITEM_DIM, ...readSettings(MODEL_SETTINGS, environment) };
}
