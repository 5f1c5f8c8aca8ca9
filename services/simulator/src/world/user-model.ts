import type { Category, SimItem } from './catalog';
import type { Scenario } from './scenario';
import type { SimUser } from './user-population';
import { dot, moveToward, sigmoid } from './vector-math';

/**
 * The hidden user model, read top to bottom:
 *
 *   1. click utility      z(u, i | context) = clickBias + tasteWeight * <taste_u, latent_i> + quality_i
 *                           - priceSensitivity_u * log(price_i / 100) + timeOfDay(category_i, localHour)
 *                           - satiationPenalty * satiation_u[category_i] + surface terms
 *   2. funnel             P(click | examined) = sigmoid(z); P(cart | click) = sigmoid(cartBias + z/2);
 *                         P(purchase | cart) = sigmoid(purchaseBias - price)
 *   3. item value         expected reward of an examined item = P(click) * (w_click + P(cart) * (w_cart
 *                         + P(purchase) * (w_purchase + w_value * price)))
 *   4. after each slate   satiation grows with exposure and clicks and decays per step; taste drifts
 *                         toward clicked items
 *   5. continuation       P(next request) = sigmoid(continueBias + perClick * clicks + perPurchase *
 *                         purchases - boredom * HHI(slate categories) - satiation * mean satiation shown)
 *   6. between sessions   satiation recovers (exp(-gap / recovery)), taste drifts back to its core; the
 *                         gap until the next visit shrinks with the session's engagement
 *
 * Position bias (which slots are examined) lives in choice-model.ts.
 */

/** Reward weights; keep them equal to the joiner's so realised reward is what the learner optimises. */
export interface RewardWeights {
  click: number;
  addToCart: number;
  purchase: number;
  /** Times the purchase value (price). */
  purchaseValue: number;
}

export const DEFAULT_REWARD_WEIGHTS: RewardWeights = { click: 1, addToCart: 2, purchase: 5, purchaseValue: 0 };

export const SURFACES = ['home', 'product', 'cart', 'search'] as const;
export type Surface = (typeof SURFACES)[number];

/** Everything about a request that changes the user's valuation, hidden parts included. */
export interface RequestContext {
  surface: Surface;
  /** The item being viewed (product surface). */
  contextItem: SimItem | null;
  /** The hidden intent of a search (search surface). */
  searchIntent: Category | null;
  /** The user's local hour of day, [0, 24). */
  localHour: number;
  /** Virtual ms since the start of the simulation (for worlds whose appeal changes with time). */
  virtualTime: number;
}

/** The funnel probabilities and expected reward of one item, given that the user examines it. */
export interface ItemValue {
  clickProbability: number;
  cartProbability: number;
  purchaseProbability: number;
  /** Expected reward given examination. */
  expectedReward: number;
}

/** What happened to one shown item. */
export interface SlotOutcome {
  examined: boolean;
  clicked: boolean;
  addedToCart: boolean;
  purchased: boolean;
}

export class UserModel {
  constructor(
    readonly scenario: Scenario,
    readonly rewardWeights: RewardWeights,
    readonly categories: readonly Category[],
  ) {}

  // ---- 1. click utility ----------------------------------------------------------------------------

  /**
   * The per-category part of the utility for this user and context (time of day, satiation, search
   * intent), computed once per request so scoring the whole catalog is one dot product per item.
   */
  categoryTerms(user: SimUser, context: RequestContext): Float64Array {
    const { scenario } = this;
    return Float64Array.from(this.categories, (category) => {
      const hoursFromPeak = context.localHour - category.peakHour;
      const timeOfDay = scenario.timeOfDayAmplitude * Math.cos((2 * Math.PI * hoursFromPeak) / 24);
      const satiation = scenario.satiationPenalty * user.satiation[category.index];
      const intent = context.searchIntent === category ? scenario.searchIntentBoost : 0;
      return timeOfDay - satiation + intent;
    });
  }

  clickUtility(user: SimUser, context: RequestContext, item: SimItem, categoryTerms: Float64Array): number {
    const { scenario } = this;
    const priceSensitivity = user.priceSensitivity * (context.surface === 'cart' ? scenario.cartPriceSensitivityFactor : 1);
    let utility =
      scenario.clickBias +
      scenario.tasteWeight * dot(user.taste, item.latent) +
      item.quality -
      priceSensitivity * item.logRelativePrice +
      categoryTerms[item.category.index];
    if (context.contextItem !== null) {
      utility += scenario.relatedItemBoost * dot(context.contextItem.latent, item.latent);
    }
    return utility;
  }

  // ---- 2. + 3. funnel and item value ---------------------------------------------------------------

  /** The funnel of one examined item; `logitOffset` is added to its click utility (slate effects, in worlds with them). */
  itemValue(user: SimUser, context: RequestContext, item: SimItem, categoryTerms: Float64Array, logitOffset = 0): ItemValue {
    // The item the user is already looking at is not a recommendation they would click.
    if (context.contextItem === item) return { clickProbability: 0, cartProbability: 0, purchaseProbability: 0, expectedReward: 0 };
    return this.valueAtUtility(user, item, this.clickUtility(user, context, item, categoryTerms) + logitOffset);
  }

  /** The funnel of an examined item whose click utility is `utility`. */
  valueAtUtility(user: SimUser, item: SimItem, utility: number): ItemValue {
    const clickProbability = sigmoid(utility);
    const cartProbability = sigmoid(this.scenario.cartBias + utility / 2);
    const purchaseProbability = this.purchaseProbability(user, item);
    const expectedReward = this.funnelReward(item, clickProbability, cartProbability, purchaseProbability);
    return { clickProbability, cartProbability, purchaseProbability, expectedReward };
  }

  /** valueAtUtility's expected reward alone (no object: for oracles that try many utilities). */
  expectedRewardAtUtility(user: SimUser, item: SimItem, utility: number): number {
    return this.funnelReward(item, sigmoid(utility), sigmoid(this.scenario.cartBias + utility / 2), this.purchaseProbability(user, item));
  }

  /** P(purchase | add-to-cart): falls with the price the user is sensitive to. */
  private purchaseProbability(user: SimUser, item: SimItem): number {
    return sigmoid(this.scenario.purchaseBias - user.priceSensitivity * item.logRelativePrice);
  }

  /** Expected reward of an examined item from its funnel probabilities. */
  private funnelReward(item: SimItem, click: number, cart: number, purchase: number): number {
    const w = this.rewardWeights;
    return click * (w.click + cart * (w.addToCart + purchase * (w.purchase + w.purchaseValue * item.price)));
  }

  /**
   * The funnel of each item of a shown slate, in slot order, given that it is examined. Here every item
   * is valued on its own (the position-based model of choice-model.ts); a world where items in one slate
   * affect each other overrides this.
   */
  slateValues(user: SimUser, context: RequestContext, slate: readonly SimItem[]): ItemValue[] {
    const terms = this.categoryTerms(user, context);
    return slate.map((item) => this.itemValue(user, context, item, terms));
  }

  /** The position-bias exponent eta of choice-model.ts for this user's device. */
  positionBias(user: SimUser): number {
    return user.device === 'mobile' ? this.scenario.positionBiasMobile : this.scenario.positionBiasDesktop;
  }

  /** The reward one slot's outcome earns (the joiner's reward function). */
  slotReward(item: SimItem, outcome: SlotOutcome): number {
    const w = this.rewardWeights;
    return (
      (outcome.clicked ? w.click : 0) +
      (outcome.addedToCart ? w.addToCart : 0) +
      (outcome.purchased ? w.purchase + w.purchaseValue * item.price : 0)
    );
  }

  // ---- 4. after each slate -------------------------------------------------------------------------

  /**
   * Updates the user's hidden state after a slate: exposure and clicks satiate their categories, clicks
   * pull the taste toward the clicked items, then every category's satiation decays one step.
   * `examination[k]` is the probability that slot k was looked at (the exposure weight).
   */
  afterSlate(user: SimUser, shown: readonly SimItem[], examination: readonly number[], outcomes: readonly SlotOutcome[]): void {
    const { scenario } = this;
    shown.forEach((item, slot) => {
      user.satiation[item.category.index] += scenario.satiationPerExposure * examination[slot];
      if (outcomes[slot].clicked) this.afterClick(user, item);
    });
    for (let category = 0; category < user.satiation.length; category += 1) user.satiation[category] *= scenario.satiationDecayPerStep;
  }

  /** A click (recommended or organic): satiates the item's category and moves the taste toward it. */
  afterClick(user: SimUser, item: SimItem): void {
    user.satiation[item.category.index] += this.scenario.satiationPerClick;
    if (this.scenario.driftPerClick > 0) moveToward(user.taste, item.latent, this.scenario.driftPerClick);
  }

  // ---- 5. continuation -----------------------------------------------------------------------------

  /**
   * Probability that the user makes another request in this session after this slate. Engagement keeps
   * users; a slate concentrated on few categories (high Herfindahl index of the examination-weighted
   * category shares) and slates of already satiated categories bore them. `satiationShown` is the
   * satiation of the shown items' categories when they were shown.
   */
  continuationProbability(
    shown: readonly SimItem[],
    examination: readonly number[],
    outcomes: readonly SlotOutcome[],
    satiationShown: readonly number[],
  ): number {
    const { scenario } = this;
    const clicks = outcomes.filter((outcome) => outcome.clicked).length;
    const purchases = outcomes.filter((outcome) => outcome.purchased).length;
    const logit =
      scenario.continueBias +
      scenario.continuePerClick * clicks +
      scenario.continuePerPurchase * purchases -
      scenario.continueBoredomPenalty * categoryConcentration(shown, examination) -
      scenario.continueSatiationPenalty * weightedMean(satiationShown, examination);
    return sigmoid(logit);
  }

  // ---- 6. between sessions -------------------------------------------------------------------------

  /** At the start of a visit: satiation recovers with the time away, the taste drifts back to its core. */
  startVisit(user: SimUser, now: number): void {
    const hoursAway = Math.max(0, now - user.lastActiveAt) / 3_600_000;
    const recovery = Math.exp(-hoursAway / this.scenario.satiationRecoveryHours);
    for (let category = 0; category < user.satiation.length; category += 1) user.satiation[category] *= recovery;
    if (this.scenario.driftRecovery > 0) moveToward(user.taste, user.coreTaste, this.scenario.driftRecovery);
  }

  /**
   * Milliseconds until the user's next visit: at least 30 minutes (so a 30-minute session timeout
   * separates sessions), plus an exponential gap whose mean shrinks with the session's satisfaction
   * (engagement per request: clicks + 2 * purchases, capped at 3).
   */
  returnGapMs(user: SimUser, satisfaction: number): number {
    const meanHours = this.scenario.returnGapHours * Math.exp(-this.scenario.returnEffect * Math.min(3, satisfaction));
    return 30 * 60_000 + user.prng.exponential(meanHours * 3_600_000);
  }
}

/** Examination-weighted Herfindahl index of the slate's categories: 1 = one category, ~1/K = all different. */
export function categoryConcentration(shown: readonly SimItem[], examination: readonly number[]): number {
  const share = new Map<Category, number>();
  let total = 0;
  shown.forEach((item, slot) => {
    share.set(item.category, (share.get(item.category) ?? 0) + examination[slot]);
    total += examination[slot];
  });
  if (total <= 0) return 0;
  let hhi = 0;
  for (const weight of share.values()) hhi += (weight / total) ** 2;
  return hhi;
}

function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  let total = 0;
  values.forEach((value, index) => {
    sum += value * weights[index];
    total += weights[index];
  });
  return total > 0 ? sum / total : 0;
}
