import type { Prng } from '../random/prng';
import type { ItemDesign } from './item-design';
import { normalizeInPlace } from './vector-math';

export interface LatentItemDesignOptions {
  /** Std of each item's latent offset from its category centre (before renormalising). */
  itemSpread: number;
  /** Std of the noise on published features. */
  featureNoise: number;
  /** Std of the hidden item quality (normal). */
  qualityStd: number;
}

/**
 * The latent world's items: the latent vector scatters around the category centre; the published
 * features ARE the latent vector plus a little noise (so the recommender sees the space users score);
 * quality is normal and hidden.
 */
export function latentItemDesign(options: LatentItemDesignOptions): ItemDesign {
  return {
    drawLatent: (prng: Prng, center: Float64Array) => normalizeInPlace(Float64Array.from(center, (value) => value + options.itemSpread * prng.normal())),
    publishFeatures: (prng: Prng, latent: Float64Array) => Array.from(latent, (value) => Math.fround(value + options.featureNoise * prng.normal())),
    drawQuality: (prng: Prng) => options.qualityStd * prng.normal(),
  };
}

