import type { Prng } from '../random/prng';

/**
 * How a world draws an item's hidden properties and what of them it publishes. The catalog calls these
 * in a fixed order per item (latent, then price, then features, then quality), so a world that keeps
 * the latent world's design reproduces its catalogs draw for draw.
 */
export interface ItemDesign {
  /**
   * The hidden unit vector users' tastes act on, for a new item of the category centred on `center`
   * (`siblings`: that category's items so far).
   */
  drawLatent(prng: Prng, center: Float64Array, siblings: readonly { readonly latent: Float64Array }[]): Float64Array;
  /** The published `features` (at most 16 numbers, as float32 values) of an item with this latent vector and price. */
  publishFeatures(prng: Prng, latent: Float64Array, price: number): number[];
  /** The hidden per-item quality: a logit offset, whoever looks at the item. */
  drawQuality(prng: Prng): number;
}
