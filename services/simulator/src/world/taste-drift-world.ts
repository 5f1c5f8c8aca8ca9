import type { Prng } from '../random/prng';
import type { Category, SimItem } from './catalog';
import { latentItemDesign } from './latent-item-design';
import { oracleSlate } from './oracle';
import type { Scenario } from './scenario';
import { UserModel, type RequestContext, type RewardWeights, type SlotOutcome } from './user-model';
import type { SimUser } from './user-population';
import { moveToward, normalizeInPlace } from './vector-math';
import type { WorldKind } from './world-kind';

/**
 * SIM_WORLD=taste-drift: what users want keeps moving, within sessions and across them, one user at a
 * time and all users together. Read top to bottom:
 *
 *   1. catalog, features, utility, funnel, position bias, satiation: as the latent world (user-model.ts),
 *      except that tastes never return to a fixed core (driftRecovery 0).
 *   2. interests       each user has a current INTEREST, a unit vector drawn like a new user's taste (one
 *                      or two categories with random weights, plus noise); at the start it is the
 *                      user's initial taste. The interest jumps to a freshly drawn one with probability
 *                      TASTE_DRIFT.switchPerStep (2%) after every request, and with probability
 *                      1 - exp(-hours away / TASTE_DRIFT.switchHours (48)) between visits: users move on.
 *   3. within a session after every slate the taste moves TASTE_DRIFT.followPerStep (15%) of the way
 *                      to the interest, plus a random step of std TASTE_DRIFT.stepNoise (0.05) per
 *                      dimension; clicks still pull it toward the clicked items (driftPerClick).
 *   4. across sessions the taste follows the interest by 1 - exp(-hours away / TASTE_DRIFT.followHours
 *                      (12)): a user back after a day is mostly someone else.
 *   5. trends          every category's appeal (logit) has a world-wide trend
 *                          trendAmplitude * sin(2 pi * t / period_c + phase_c)
 *                      (amplitude 0.6, periods 1 to 7 days of simulated time, phases random): what is in
 *                      fashion changes for everyone.
 *   6. oracle          exact top-k by expected reward for the taste and trend of the moment (oracle.ts).
 *
 * What it tests: what a policy learned goes stale; one that stops exploring, or that cannot weigh
 * recent behaviour over old, falls behind (tested: a policy that knows every user's initial taste
 * perfectly earns 94% of the oracle's expected reward in the first eighth of an 8,000-request run and
 * 51% in the last; in the latent world 99% and 96%). Over 20 visits a user's taste ends up unrelated to
 * where it started (mean cosine 0.06).
 */
export const TASTE_DRIFT = {
  /** Probability that a user's interest jumps to a new one after a request. */
  switchPerStep: 0.02,
  /** Time constant (hours) of an interest jump between visits. */
  switchHours: 48,
  /** Fraction of the way the taste moves toward the interest after each slate. */
  followPerStep: 0.15,
  /** Std per dimension of the taste's random step after each slate (before renormalising). */
  stepNoise: 0.05,
  /** Time constant (hours) of the taste following the interest between visits. */
  followHours: 12,
  /** Amplitude (logit) of each category's world-wide trend. */
  trendAmplitude: 0.6,
  /** Periods of the trends are drawn uniformly from this range, hours. */
  trendPeriodHours: { min: 24, max: 168 },
} as const;

/** A category's world-wide trend. */
interface Trend {
  periodHours: number;
  phase: number;
}

export class TasteDriftUserModel extends UserModel {
  /** Each user's current interest, by user index; absent until the user's first step (= its initial taste). */
  private readonly interests = new Map<number, Float64Array>();
  private readonly trends: Trend[];

  constructor(scenario: Scenario, rewardWeights: RewardWeights, categories: readonly Category[], prng: Prng) {
    super(scenario, rewardWeights, categories);
    const { min, max } = TASTE_DRIFT.trendPeriodHours;
    this.trends = categories.map(() => ({ periodHours: prng.uniform(min, max), phase: prng.uniform(0, 2 * Math.PI) }));
  }

  /** The world-wide trend of a category at virtual time `virtualMs`, in logits. */
  trend(category: Category, virtualMs: number): number {
    const { periodHours, phase } = this.trends[category.index];
    return TASTE_DRIFT.trendAmplitude * Math.sin((2 * Math.PI * virtualMs) / (periodHours * 3_600_000) + phase);
  }

  /** The user's current interest (what its taste drifts toward). */
  interestOf(user: SimUser): Float64Array {
    let interest = this.interests.get(user.index);
    if (interest === undefined) {
      interest = Float64Array.from(user.taste);
      this.interests.set(user.index, interest);
    }
    return interest;
  }

  override categoryTerms(user: SimUser, context: RequestContext): Float64Array {
    const terms = super.categoryTerms(user, context);
    for (const category of this.categories) terms[category.index] += this.trend(category, context.virtualTime);
    return terms;
  }

  /** Satiation and click pull as ever; then maybe a new interest, and a step toward it with some noise. */
  override afterSlate(user: SimUser, shown: readonly SimItem[], examination: readonly number[], outcomes: readonly SlotOutcome[]): void {
    super.afterSlate(user, shown, examination, outcomes);
    if (user.prng.bernoulli(TASTE_DRIFT.switchPerStep)) this.interests.set(user.index, this.drawInterest(user.prng));
    moveToward(user.taste, this.interestOf(user), TASTE_DRIFT.followPerStep);
    for (let dim = 0; dim < user.taste.length; dim += 1) user.taste[dim] += TASTE_DRIFT.stepNoise * user.prng.normal();
    normalizeInPlace(user.taste);
  }

  /** Satiation recovers as ever; the time away may bring a new interest, and the taste follows it. */
  override startVisit(user: SimUser, now: number): void {
    const hoursAway = Math.max(0, now - user.lastActiveAt) / 3_600_000;
    super.startVisit(user, now);
    if (user.prng.bernoulli(1 - Math.exp(-hoursAway / TASTE_DRIFT.switchHours))) this.interests.set(user.index, this.drawInterest(user.prng));
    moveToward(user.taste, this.interestOf(user), 1 - Math.exp(-hoursAway / TASTE_DRIFT.followHours));
  }

  /** A fresh interest, drawn like a new user's taste: one or two categories, random weights, noise. */
  private drawInterest(prng: Prng): Float64Array {
    const interest = new Float64Array(this.categories[0].center.length);
    const favourites = 1 + prng.int(2);
    for (let pick = 0; pick < favourites; pick += 1) {
      const center = prng.pick(this.categories).center;
      const weight = prng.exponential(1);
      for (let dim = 0; dim < interest.length; dim += 1) interest[dim] += weight * center[dim];
    }
    for (let dim = 0; dim < interest.length; dim += 1) interest[dim] += 0.25 * prng.normal();
    return normalizeInPlace(interest);
  }
}

export const tasteDriftWorld: WorldKind = {
  name: 'taste-drift',
  summary: "users' interests jump and their tastes follow, within and across sessions; category trends move for everyone",
  churnDefaults: {},
  scenario: (base) => ({ ...base, driftRecovery: 0 }),
  itemDesign: (_prng, inputs) => latentItemDesign(inputs),
  behaviour: ({ scenario, rewardWeights, categories, prng }) => {
    const model = new TasteDriftUserModel(scenario, rewardWeights, categories, prng);
    return { model, oracleSlate: (user, context, candidates, slateSize, eta) => oracleSlate(model, user, context, candidates, slateSize, eta) };
  },
};
