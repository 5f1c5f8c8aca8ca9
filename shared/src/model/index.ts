/** @rec/shared/model: the only part of shared that loads tfjs. */
export * from './tensor-backend';
export * from './q-network';
export * from './training-batch';
export * from './double-dqn';
export * from './adam-parameter-optimizer';
export * from './score-explanation';
export * from './layers-model-export';
export * from './layers-model-files';
export * from './catalog-normalizer';
export * from './shared-item-rows';
