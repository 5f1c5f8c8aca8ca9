import { ITEM_DIM } from '../state/item-encoder';
import { STATE_DIM } from '../state/state-encoder';
import { ConfigError } from '../errors/errors';
import { intIn, positiveIntList, readEnv } from './env';

/** The Q-network's shape, shared by every service that holds the model (they must agree). */
export interface ModelShapeConfig {
  stateDim: number;
  itemDim: number;
  /** Widths of the state tower's three layers; the last is the embedding width (MODEL_HIDDEN_SIZES). */
  hiddenSizes: number[];
  /** Seed of the initial weights (MODEL_SEED). */
  seed: number;
}

export function readModelShapeConfig(environment: NodeJS.ProcessEnv = process.env): ModelShapeConfig {
  const env = readEnv(
    {
      MODEL_HIDDEN_SIZES: positiveIntList({ default: [256, 256, 64], desc: 'state tower widths: three layers, the last is the embedding' }),
      MODEL_SEED: intIn(0, 2 ** 31 - 1)({ default: 7, desc: 'seed of the initial weights' }),
    },
    environment,
  );
  if (env.MODEL_HIDDEN_SIZES.length !== 3) {
    throw new ConfigError(`MODEL_HIDDEN_SIZES must name three layers, got "${env.MODEL_HIDDEN_SIZES.join(',')}"`);
  }
  return { stateDim: STATE_DIM, itemDim: ITEM_DIM, hiddenSizes: env.MODEL_HIDDEN_SIZES, seed: env.MODEL_SEED };
}
