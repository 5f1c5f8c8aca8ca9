import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSettings } from './settings-arguments';

test('parseSettings reads KEY=VALUE words, values may hold = and be empty', () => {
  assert.deepEqual(parseSettings(['SIM_WORLD=latent', 'LEARNER_GAMMA=0.9', 'X_1=a=b', 'EMPTY=']), { SIM_WORLD: 'latent', LEARNER_GAMMA: '0.9', X_1: 'a=b', EMPTY: '' });
});

test('parseSettings refuses a word that is not a setting, naming it', () => {
  assert.throws(() => parseSettings(['SIM_WORLD=latent', '30000']), /unexpected argument "30000"/);
  assert.throws(() => parseSettings(['learner_gamma=0.9']), /unexpected argument "learner_gamma=0.9"/);
});
