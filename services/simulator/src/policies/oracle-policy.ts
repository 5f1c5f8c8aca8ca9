import type { RecommendationAction, RecommendationRequest } from '@rec/shared';
import type { SessionSimulator } from '../driver/session-simulator';
import type { SimItem } from '../world/catalog';

export interface HiddenModelPolicyOptions {
  /** The action's `policy` field. */
  name: string;
  /** null: the one-step oracle's slate. A number: the same ranking with at most this many items per category. */
  maxPerCategory: number | null;
}

/**
 * In-process policies that read the hidden model (they cheat: for tests and experiments only), through
 * the simulator's private view of the request in flight.
 *
 *   maxPerCategory null: myopic, the best next slate (the oracle's).
 *   maxPerCategory 2:    diversified, slightly worse for the next click but better over a session when
 *                        users tire of repetitive slates (the session-dynamics scenario).
 */
export function hiddenModelPolicy(simulator: SessionSimulator, options: HiddenModelPolicyOptions): (request: RecommendationRequest) => RecommendationAction {
  const { world } = simulator;
  return (request) => {
    const prepared = simulator.preparedRequest(request.requestId);
    const user = world.userById(request.userId);
    if (prepared === undefined || user === undefined) throw new Error(`no request ${request.requestId} in flight`);
    let items: readonly SimItem[] = prepared.oracle.items;
    if (options.maxPerCategory !== null) {
      const terms = world.model.categoryTerms(user, prepared.context);
      const ranked = world.catalog
        .available()
        .map((item) => ({ item, value: world.model.itemValue(user, prepared.context, item, terms).expectedReward }))
        .sort((a, b) => b.value - a.value || a.item.index - b.item.index)
        .map((entry) => entry.item);
      items = atMostPerCategory(ranked, request.slateSize, options.maxPerCategory);
    }
    return {
      requestId: request.requestId,
      userId: request.userId,
      timestamp: request.timestamp + 1,
      items: items.map((item, position) => ({ itemId: item.itemId, position, score: 0, propensity: 1, explored: false })),
      modelVersion: 0,
      epsilon: 0,
      policy: options.name,
    };
  };
}

function atMostPerCategory(ranked: readonly SimItem[], slateSize: number, maxPerCategory: number): SimItem[] {
  const perCategory = new Map<string, number>();
  const slate: SimItem[] = [];
  for (const item of ranked) {
    const count = perCategory.get(item.category.name) ?? 0;
    if (count >= maxPerCategory) continue;
    perCategory.set(item.category.name, count + 1);
    slate.push(item);
    if (slate.length === slateSize) break;
  }
  return slate;
}
