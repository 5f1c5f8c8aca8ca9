import type { Prng } from '../random/prng';
import type { ItemDesign } from './item-design';
import { latentItemDesign } from './latent-item-design';
import { oracleSlate } from './oracle';
import { UserModel } from './user-model';
import type { WorldKind } from './world-kind';

/**
 * SIM_WORLD=popularity-churn: a few blockbusters, a long tail, and a catalog that never stands still.
 * Read top to bottom:
 *
 *   1. popularity      every item draws a popularity rank r, uniform on [1, R] (R = the initial catalog
 *                      size), and its quality is Zipf-like:
 *                          quality = POPULARITY_CHURN.topQuality - POPULARITY_CHURN.zipfExponent * ln(r)
 *                      so its click odds scale as r^-0.8: the best 1% of items are 20 to 150 times as
 *                      clickable as the median one, whoever the user. Quality is in no published field
 *                      (features: latent + noise, as in the latent world); items that arrive later draw
 *                      their rank the same way, so a new item may be the next blockbuster.
 *   2. utility         the latent world's (user-model.ts) with clickBias POPULARITY_CHURN.clickBias (-2.5) and
 *                      tasteWeight POPULARITY_CHURN.tasteWeight (4.5): popularity matters, taste still more.
 *   3. churn           fast, and items retire for good (the world's own defaults, used unless the SIM_*
 *                      variable is set): every 100 requests (SIM_CATALOG_UPDATE_EVERY), 40 new items
 *                      and 40 retirements per 1,000 requests (SIM_NEW_ITEMS_PER_1000_REQUESTS,
 *                      SIM_STOCKOUTS_PER_1000_REQUESTS), never restocked (SIM_RESTOCK_AFTER_REQUESTS=0).
 *                      With 1,000 items an item lives about 25,000 requests; after 30,000 requests
 *                      about 70% of the catalog arrived mid-run: cold start is most of the job.
 *   4. sessions        as the latent world.
 *   5. oracle          exact top-k by expected reward (oracle.ts).
 *
 * The ledger's newItems figures (CTR of new items, and of new items within 5,000 requests of arriving,
 * against old items of the same categories) measure how fast a policy finds the good new items.
 */
export const POPULARITY_CHURN = {
  /** Quality of the rank-1 item (logit). */
  topQuality: 2,
  /** Slope of quality in ln(rank): click odds scale as rank^-zipfExponent. */
  zipfExponent: 0.8,
  /** Base click logit (the latent world's is -3.6), so that the long tail is still clicked now and then. */
  clickBias: -2.5,
  /** Weight of the taste match (the latent world's is 4): a perfect popularity ranking earns about 55% of the oracle. */
  tasteWeight: 4.5,
} as const;

/** Zipf-like hidden quality by a uniform popularity rank; otherwise the latent world's items. */
export function popularityItemDesign(inputs: { itemSpread: number; featureNoise: number; qualityStd: number; catalogSize: number }): ItemDesign {
  const latent = latentItemDesign(inputs);
  return {
    drawLatent: latent.drawLatent,
    publishFeatures: latent.publishFeatures,
    drawQuality: (prng: Prng) => POPULARITY_CHURN.topQuality - POPULARITY_CHURN.zipfExponent * Math.log(prng.uniform(1, inputs.catalogSize)),
  };
}

export const popularityChurnWorld: WorldKind = {
  name: 'popularity-churn',
  summary: 'Zipf-like hidden popularity (click odds ~ rank^-0.8) and fast churn: 40 new items and 40 retirements per 1,000 requests',
  churnDefaults: { updateEveryRequests: 100, newItemsPer1000Requests: 40, stockoutsPer1000Requests: 40, restockAfterRequests: 0 },
  scenario: (base) => ({ ...base, clickBias: POPULARITY_CHURN.clickBias, tasteWeight: POPULARITY_CHURN.tasteWeight }),
  itemDesign: (_prng, inputs) => popularityItemDesign(inputs),
  behaviour: ({ scenario, rewardWeights, categories }) => {
    const model = new UserModel(scenario, rewardWeights, categories);
    return { model, oracleSlate: (user, context, candidates, slateSize, eta) => oracleSlate(model, user, context, candidates, slateSize, eta) };
  },
};
