import type { Prng } from '../random/prng';
import { LATENT_DIM } from './catalog';
import type { ItemDesign } from './item-design';
import { latentItemDesign } from './latent-item-design';
import { oracleSlate } from './oracle';
import { UserModel } from './user-model';
import { dot, normalizeInPlace } from './vector-math';
import type { WorldKind } from './world-kind';

/**
 * SIM_WORLD=raw-features: the latent world's users and sessions, with a catalog that publishes what a real
 * shop's catalog holds instead of the space users score. Read top to bottom:
 *
 *   1. hidden item     latent vector (16-d, around the category centre, as in the latent world), price,
 *                      and a quality that is a LARGE part of the item's appeal: quality std
 *                      RAW_FEATURES.qualityStd (1.5, against the latent world's 0.5; the taste weight is
 *                      RAW_FEATURES.tasteWeight, 3 instead of 4). Quality is in no published field.
 *   2. published       16 features per item in a fixed, seed-shuffled order:
 *                      - 6 informative: feature j = scale_j * (offset_j + <mix_j, latent> + noise), with
 *                        mix_j a fixed random unit vector (a 6-d random projection of the 16-d latent:
 *                        10 dimensions of taste are not in the features at all), offset_j in [1, 3] (no
 *                        feature is centred), scale_j one of 0.01, 0.1, 1, 10, 100, 1000 (a weight in
 *                        tonnes beside a length in millimetres);
 *                      - 10 pure noise, unrelated to anything users value, each of one raw kind: a
 *                        normal around an offset, a heavy-tailed log-normal, a count (each at a scale
 *                        drawn log-uniformly from 0.01 to 1000), or a 0/1 flag;
 *                      price in currency units (as every world), category by name.
 *   3. users, utility, funnel, position bias, satiation, drift, continuation and return: as the latent
 *                      world (user-model.ts) with the parameters above.
 *   4. oracle          exact top-k by expected reward (oracle.ts): it knows latent, taste and quality.
 *
 * What it tests: a model that only works when features are the users' latent space, on a common
 * scale, learns little here; per-item appeal has to be learned from feedback, and inputs need
 * normalising.
 */
export const RAW_FEATURES = {
  /** Std of the hidden item quality (logit). */
  qualityStd: 1.5,
  /** Weight of the taste match <taste, latent> in the click utility. */
  tasteWeight: 3,
  /** Scales of the six informative features. */
  informativeScales: [0.01, 0.1, 1, 10, 100, 1000],
  /** Pure-noise features. */
  noiseFeatures: 10,
  /** Noise-feature scales are drawn log-uniformly from 10^min to 10^max. */
  noiseScaleLog10: { min: -2, max: 3 },
} as const;

const NOISE_KINDS = ['normal', 'log-normal', 'count', 'flag'] as const;
type NoiseKind = (typeof NOISE_KINDS)[number];

/** What one published feature slot holds. */
type FeatureSlot =
  | { kind: 'informative'; scale: number; offset: number; mix: Float64Array }
  | { kind: NoiseKind; scale: number; offset: number };

/** The design: the latent world's latent vectors and quality distribution, published as raw features. */
export function rawFeaturesItemDesign(designPrng: Prng, inputs: { itemSpread: number; featureNoise: number; qualityStd: number }): ItemDesign {
  const latent = latentItemDesign(inputs);
  const slots: FeatureSlot[] = [
    ...RAW_FEATURES.informativeScales.map((scale): FeatureSlot => ({
      kind: 'informative',
      scale,
      offset: designPrng.uniform(1, 3),
      mix: normalizeInPlace(Float64Array.from({ length: LATENT_DIM }, () => designPrng.normal())),
    })),
    ...Array.from({ length: RAW_FEATURES.noiseFeatures }, (_, index): FeatureSlot => ({
      kind: NOISE_KINDS[index % NOISE_KINDS.length],
      scale: 10 ** designPrng.uniform(RAW_FEATURES.noiseScaleLog10.min, RAW_FEATURES.noiseScaleLog10.max),
      offset: designPrng.uniform(0, 5),
    })),
  ];
  // A fixed, seed-shuffled order: the informative features are not the first six.
  const order = designPrng.sampleIndices(slots.length, slots.length).map((index) => slots[index]);
  return {
    drawLatent: latent.drawLatent,
    drawQuality: latent.drawQuality,
    publishFeatures: (prng, itemLatent) =>
      order.map((slot) => {
        switch (slot.kind) {
          case 'informative':
            return Math.fround(slot.scale * (slot.offset + dot(slot.mix, itemLatent) + inputs.featureNoise * prng.normal()));
          case 'normal':
            return Math.fround(slot.scale * (slot.offset + prng.normal()));
          case 'log-normal':
            return Math.fround(slot.scale * Math.exp(1.2 * prng.normal()));
          case 'count':
            return Math.fround(slot.scale * Math.floor(prng.exponential(slot.offset + 1)));
          case 'flag':
            return prng.bernoulli(0.3) ? 1 : 0;
        }
      }),
  };
}

export const rawFeaturesWorld: WorldKind = {
  name: 'raw-features',
  summary: '6 informative features (a random projection of the latent) at scales 0.01-1000 + 10 noise features; quality (std 1.5) unpublished',
  churnDefaults: {},
  scenario: (base) => ({ ...base, qualityStd: RAW_FEATURES.qualityStd, tasteWeight: RAW_FEATURES.tasteWeight }),
  itemDesign: (prng, inputs) => rawFeaturesItemDesign(prng, inputs),
  behaviour: ({ scenario, rewardWeights, categories }) => {
    const model = new UserModel(scenario, rewardWeights, categories);
    return { model, oracleSlate: (user, context, candidates, slateSize, eta) => oracleSlate(model, user, context, candidates, slateSize, eta) };
  },
};
