import type { Prng } from '../random/prng';
import type { SimItem } from './catalog';
import { expectedSlateOutcome } from './choice-model';
import type { ItemDesign } from './item-design';
import type { OracleSlate } from './oracle';
import type { Scenario } from './scenario';
import { UserModel, type ItemValue, type RequestContext, type SlotOutcome } from './user-model';
import type { SimUser } from './user-population';
import { dot, normalizeInPlace, sigmoid } from './vector-math';
import type { WorldKind } from './world-kind';

/**
 * SIM_WORLD=slate-effects: the items of one slate are not valued independently. Read top to bottom:
 *
 *   1. catalog         items scatter tightly around their category centre (spread SLATE_EFFECTS.itemSpread,
 *                      0.35, instead of SIM_ITEM_SPREAD), and SLATE_EFFECTS.variantShare (40%) of them are
 *                      near-duplicates: a variant of an earlier item of the category (its latent vector
 *                      plus noise of std SLATE_EFFECTS.variantSpread, 0.1): the same product in another
 *                      colour. Published features: latent + noise, as in the latent world.
 *   2. similarity      sim(a, b) = max(0, <latent_a, latent_b>): on average about 0.33 within a category,
 *                      above 0.9 between variants, about 0.1 across categories (measured, seed 2).
 *   3. slate effect    the user reads the slate top down; the item at slot k is valued with its click
 *                      utility lowered by what came above it:
 *                          z_k = z(item_k) - redundancyPenalty * sum_{j<k} sim(item_k, item_j)
 *                      (redundancyPenalty 2 logits), then the latent world's funnel (user-model.ts). The
 *                      second item of a category loses about 0.7 logits, the tenth about 6; items of ten
 *                      different categories lose almost nothing. Examination stays position-based
 *                      (choice-model.ts): only the appeal of an examined item depends on the items above.
 *   4. sessions        P(next request) = the latent world's continuation logit minus
 *                      continueRedundancyPenalty (4) * the slate's redundancy (the examination-weighted mean
 *                      similarity over its pairs of items): sessions end sooner after repetitive slates.
 *                      Satiation across steps is stronger than the default scenario's (below), so what
 *                      one slate shows lowers what the next can earn: a policy with gamma > 0 can plan
 *                      for it.
 *   5. oracle          greedy, position by position: at slot k the item with the highest expected reward
 *                      given the items already above it. Finding the best slate exactly is a hard set
 *                      problem; the greedy slate is the myopic reference the ledger reports, and it beats
 *                      the independent top-10 and every ten-of-one-category slate (tested). Pruned exactly:
 *                      an item's value with redundancy never exceeds its value alone.
 */
export const SLATE_EFFECTS = {
  /** Std of items' latent offsets from their category centre (replaces SIM_ITEM_SPREAD). */
  itemSpread: 0.35,
  /** Share of new items that are variants (near-duplicates) of an earlier item of their category. */
  variantShare: 0.4,
  /** Std of a variant's latent offset from the item it is a variant of. */
  variantSpread: 0.1,
  /** Logit lost per unit of similarity to each item above in the slate. */
  redundancyPenalty: 2.0,
  /** Continuation logit lost per unit of slate redundancy (mean pairwise similarity, examination-weighted). */
  continueRedundancyPenalty: 4,
} as const;

/** Satiation and continuation parameters of this world (over the SIM_SCENARIO's). */
function slateEffectsScenario(base: Scenario): Scenario {
  return {
    ...base,
    satiationPerExposure: 0.3,
    satiationPerClick: 0.5,
    satiationDecayPerStep: 0.85,
    satiationPenalty: 1.2,
    continueBias: 1.2,
    continuePerClick: 0.8,
    continuePerPurchase: 1.5,
    continueBoredomPenalty: 1,
    continueSatiationPenalty: 0.8,
    returnEffect: 0.6,
  };
}

/** sim(a, b) = max(0, <latent_a, latent_b>) on unit latent vectors. */
export function itemSimilarity(a: SimItem, b: SimItem): number {
  return Math.max(0, dot(a.latent, b.latent));
}

/** Examination-weighted mean similarity over the slate's pairs: 0 = all unrelated, 1 = all identical. */
export function slateRedundancy(shown: readonly SimItem[], examination: readonly number[]): number {
  let weighted = 0;
  let total = 0;
  for (let k = 1; k < shown.length; k += 1) {
    for (let j = 0; j < k; j += 1) {
      const weight = examination[j] * examination[k];
      weighted += weight * itemSimilarity(shown[j], shown[k]);
      total += weight;
    }
  }
  return total > 0 ? weighted / total : 0;
}

export class SlateEffectsUserModel extends UserModel {
  /** Item k's value, its click utility lowered by its similarity to the items above it. */
  override slateValues(user: SimUser, context: RequestContext, slate: readonly SimItem[]): ItemValue[] {
    const terms = this.categoryTerms(user, context);
    return slate.map((item, slot) => {
      let redundancy = 0;
      for (let above = 0; above < slot; above += 1) redundancy += itemSimilarity(item, slate[above]);
      return this.itemValue(user, context, item, terms, -SLATE_EFFECTS.redundancyPenalty * redundancy);
    });
  }

  /** The latent world's continuation, less a penalty for a repetitive slate. */
  override continuationProbability(shown: readonly SimItem[], examination: readonly number[], outcomes: readonly SlotOutcome[], satiationShown: readonly number[]): number {
    const base = super.continuationProbability(shown, examination, outcomes, satiationShown);
    const logit = Math.log(base / (1 - base)) - SLATE_EFFECTS.continueRedundancyPenalty * slateRedundancy(shown, examination);
    return sigmoid(logit);
  }
}

/** The greedy oracle of item 5 above. */
export function greedySlate(model: UserModel, user: SimUser, context: RequestContext, candidates: readonly SimItem[], slateSize: number, eta: number): OracleSlate {
  const terms = model.categoryTerms(user, context);
  const count = candidates.length;
  // Each candidate's click utility and value alone; the viewed item (product pages) is never worth showing.
  const utility = new Float64Array(count);
  const alone = new Float64Array(count);
  for (let index = 0; index < count; index += 1) {
    const item = candidates[index];
    utility[index] = model.clickUtility(user, context, item, terms);
    alone[index] = item === context.contextItem ? 0 : model.expectedRewardAtUtility(user, item, utility[index]);
  }
  const order = new ValueOrder(alone, candidates);
  // Each candidate's redundancy with the items picked so far, brought up to date only when it is looked at.
  const redundancy = new Float64Array(count);
  const accountedPicks = new Int32Array(count);
  const chosen = new Uint8Array(count);
  const items: SimItem[] = [];
  const values: ItemValue[] = [];
  while (items.length < Math.min(slateSize, count)) {
    let bestIndex = -1;
    let bestReward = Number.NEGATIVE_INFINITY;
    for (let rank = 0; rank < order.length; rank += 1) {
      const index = order.at(rank);
      // The value alone bounds the value with redundancy: nothing further down the order can win.
      if (alone[index] <= bestReward) break;
      if (chosen[index] === 1) continue;
      const item = candidates[index];
      for (; accountedPicks[index] < items.length; accountedPicks[index] += 1) redundancy[index] += itemSimilarity(item, items[accountedPicks[index]]);
      const reward = item === context.contextItem ? 0 : model.expectedRewardAtUtility(user, item, utility[index] - SLATE_EFFECTS.redundancyPenalty * redundancy[index]);
      if (reward > bestReward) {
        bestIndex = index;
        bestReward = reward;
      }
    }
    if (bestIndex < 0) break;
    chosen[bestIndex] = 1;
    const item = candidates[bestIndex];
    items.push(item);
    values.push(
      item === context.contextItem
        ? { clickProbability: 0, cartProbability: 0, purchaseProbability: 0, expectedReward: 0 }
        : model.valueAtUtility(user, item, utility[bestIndex] - SLATE_EFFECTS.redundancyPenalty * redundancy[bestIndex]),
    );
  }
  return { items, values, ...expectedSlateOutcome(values, eta) };
}

/**
 * The candidates' indices, best value alone first (ties by item index). Only the best PREFIX are sorted
 * up front; the rest the first time a scan needs them (the greedy oracle nearly always stops within the
 * first hundred or so).
 */
class ValueOrder {
  private static readonly PREFIX = 128;
  private readonly indices: Int32Array;
  /** indices[0, sorted) are in order. */
  private sorted: number;

  constructor(
    private readonly alone: Float64Array,
    private readonly candidates: readonly SimItem[],
  ) {
    const count = alone.length;
    const threshold = count > ValueOrder.PREFIX ? Float64Array.from(alone).sort()[count - ValueOrder.PREFIX] : Number.NEGATIVE_INFINITY;
    const head: number[] = [];
    const tail: number[] = [];
    for (let index = 0; index < count; index += 1) (alone[index] >= threshold ? head : tail).push(index);
    head.sort(this.byValue);
    this.indices = Int32Array.from([...head, ...tail]);
    this.sorted = tail.length === 0 ? count : head.length;
  }

  get length(): number {
    return this.indices.length;
  }

  /** The candidate at rank `rank`. */
  at(rank: number): number {
    if (rank >= this.sorted) {
      this.indices.subarray(this.sorted).sort(this.byValue);
      this.sorted = this.indices.length;
    }
    return this.indices[rank];
  }

  private readonly byValue = (a: number, b: number): number => this.alone[b] - this.alone[a] || this.candidates[a].index - this.candidates[b].index;
}

/** Tight categories with near-duplicate variants; features = latent + noise. */
export function slateEffectsItemDesign(inputs: { featureNoise: number; qualityStd: number }): ItemDesign {
  return {
    drawLatent: (prng: Prng, center, siblings) => {
      if (siblings.length > 0 && prng.bernoulli(SLATE_EFFECTS.variantShare)) {
        const original = prng.pick(siblings).latent;
        return normalizeInPlace(Float64Array.from(original, (value) => value + SLATE_EFFECTS.variantSpread * prng.normal()));
      }
      return normalizeInPlace(Float64Array.from(center, (value) => value + SLATE_EFFECTS.itemSpread * prng.normal()));
    },
    publishFeatures: (prng, latent) => Array.from(latent, (value) => Math.fround(value + inputs.featureNoise * prng.normal())),
    drawQuality: (prng) => inputs.qualityStd * prng.normal(),
  };
}

export const slateEffectsWorld: WorldKind = {
  name: 'slate-effects',
  summary: 'near-duplicates in one slate satiate each other (click utility minus similarity to the items above); repetitive slates end sessions sooner',
  churnDefaults: {},
  scenario: slateEffectsScenario,
  itemDesign: (_prng, inputs) => slateEffectsItemDesign(inputs),
  behaviour: ({ scenario, rewardWeights, categories }) => {
    const model = new SlateEffectsUserModel(scenario, rewardWeights, categories);
    return { model, oracleSlate: (user, context, candidates, slateSize, eta) => greedySlate(model, user, context, candidates, slateSize, eta) };
  },
};

