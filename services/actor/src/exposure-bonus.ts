import type { AvailableItems, RecommendationAction } from '@rec/shared';
import type { PolicyName } from './config';

/**
 * Count-based optimism for the greedy order: an item is ranked by its score plus
 * `scale / sqrt(1 + times served)`, so items the model has seen little of (new arrivals, items it never
 * ranked high) get shown until their own rows have feedback to learn from, and the bonus fades as they are
 * served (UCB1's form; Auer et al. 2002). The bonus only reorders the greedy order, which is deterministic
 * given the scores and these counts, so the logged propensities stay exact marginals (design decision 12
 * reasons the same way for diverse slates). Counts are this actor's own, kept in memory.
 */
export class ExposureBonus {
  private readonly served = new Map<string, number>();

  constructor(readonly scale: number) {}

  /** Scores plus each item's bonus, [batch * items] row-major; `scores` is left as it is. */
  ranked(scores: Float32Array, batch: number, items: AvailableItems): Float32Array {
    const bonus = Float32Array.from(items.ids, (itemId) => this.scale / Math.sqrt(1 + (this.served.get(itemId) ?? 0)));
    const ranked = new Float32Array(scores.length);
    for (let request = 0; request < batch; request += 1) {
      const offset = request * bonus.length;
      for (let item = 0; item < bonus.length; item += 1) ranked[offset + item] = scores[offset + item] + bonus[item];
    }
    return ranked;
  }

  /** Counts every item the actions served. */
  countServed(actions: readonly RecommendationAction[]): void {
    for (const action of actions) for (const { itemId } of action.items) this.served.set(itemId, (this.served.get(itemId) ?? 0) + 1);
  }

  /** How often an item was served so far. */
  timesServed(itemId: string): number {
    return this.served.get(itemId) ?? 0;
  }
}

/** The bonus an actor serving `policy` ranks with: only the DQN's scores are a model to be optimistic about; none at scale 0. */
export function exposureBonusFor(policy: PolicyName, scale: number): ExposureBonus | null {
  return policy === 'ddqn' && scale > 0 ? new ExposureBonus(scale) : null;
}
