import type { SimItem } from './catalog';
import { expectedSlateOutcome } from './choice-model';
import type { ItemValue, RequestContext, UserModel } from './user-model';
import type { SimUser } from './user-population';

/** The best slate for a request by true expected reward, from the hidden state. Never sent anywhere. */
export interface OracleSlate {
  items: SimItem[];
  values: ItemValue[];
  expectedReward: number;
  expectedClicks: number;
}

/**
 * The one-step oracle: under the position-based model a slate's expected reward is
 * sum_k theta_k * value(item_k) with theta decreasing in k, so (rearrangement inequality) the best slate
 * is the slateSize most valuable candidates, most valuable first. Exact, O(candidates * slateSize).
 *
 * It maximises the reward of this request given the user's state now; it does not plan for the rest of
 * the session, so in the session-dynamics scenario a policy that diversifies can beat it per session.
 */
export function oracleSlate(
  model: UserModel,
  user: SimUser,
  context: RequestContext,
  candidates: readonly SimItem[],
  slateSize: number,
  eta: number,
): OracleSlate {
  const terms = model.categoryTerms(user, context);
  // The best slateSize so far, kept sorted by value, best first.
  const best: { item: SimItem; value: ItemValue }[] = [];
  for (const item of candidates) {
    const value = model.itemValue(user, context, item, terms);
    if (best.length === slateSize && value.expectedReward <= best[best.length - 1].value.expectedReward) continue;
    let position = best.length;
    while (position > 0 && best[position - 1].value.expectedReward < value.expectedReward) position -= 1;
    best.splice(position, 0, { item, value });
    if (best.length > slateSize) best.pop();
  }
  const values = best.map((entry) => entry.value);
  return { items: best.map((entry) => entry.item), values, ...expectedSlateOutcome(values, eta) };
}
