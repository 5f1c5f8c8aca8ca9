import type { Prng } from '../random/prng';
import type { ItemValue, SlotOutcome } from './user-model';

/**
 * The choice model over a shown slate: a position-based click model (PBM). The user examines slot k
 * (0-based) with probability
 *
 *     theta_k = (1 / (1 + k))^eta        (eta: steeper on mobile)
 *
 * independently of the other slots; an examined item is clicked with its click probability, and a
 * click may go on to add-to-cart and purchase (the funnel of user-model.ts). Not clicking anything is
 * the no-click option. Because slots are independent given the slate, a slate's expected reward is
 * sum_k theta_k * value(item_k), which makes the oracle exact (oracle.ts) and per-slot inverse
 * propensity scoring unbiased (ope/): the click at slot k depends only on the item at slot k.
 */
export function examinationProbability(position: number, eta: number): number {
  return (1 / (1 + position)) ** eta;
}

export function examinationProbabilities(slots: number, eta: number): number[] {
  return Array.from({ length: slots }, (_, position) => examinationProbability(position, eta));
}

/** Expected reward and clicks of a slate, from its items' values in slot order. */
export function expectedSlateOutcome(values: readonly ItemValue[], eta: number): { expectedReward: number; expectedClicks: number } {
  let expectedReward = 0;
  let expectedClicks = 0;
  values.forEach((value, position) => {
    const theta = examinationProbability(position, eta);
    expectedReward += theta * value.expectedReward;
    expectedClicks += theta * value.clickProbability;
  });
  return { expectedReward, expectedClicks };
}

/** Draws what the user does with each slot. */
export function sampleSlateOutcome(prng: Prng, values: readonly ItemValue[], eta: number): SlotOutcome[] {
  return values.map((value, position) => {
    const examined = prng.bernoulli(examinationProbability(position, eta));
    const clicked = examined && prng.bernoulli(value.clickProbability);
    const addedToCart = clicked && prng.bernoulli(value.cartProbability);
    const purchased = addedToCart && prng.bernoulli(value.purchaseProbability);
    return { examined, clicked, addedToCart, purchased };
  });
}
