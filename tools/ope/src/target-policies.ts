import type { CatalogItem, UserFeedback } from '@rec/shared';
import type { RewardModel } from './item-position-reward-model';
import type { LoggedRequest } from './logged-data';

/** A policy to evaluate off-policy: the probability it puts `itemId` at `position` for a logged request. */
export interface TargetPolicy {
  name: string;
  probability(request: LoggedRequest, itemId: string, position: number): number;
  /** sum over items a of P(a at `position` | request) * model.predict(a, position): the reward model's expectation under the target (DR's direct term). */
  expectation(request: LoggedRequest, position: number, model: RewardModel): number;
}

export const TARGET_NAMES = ['uniform-random', 'popularity-by-category'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** The candidates of a request: its candidateItemIds if given, else every available item, as a set. */
function candidatesOf(request: LoggedRequest, available: ReadonlySet<string>): ReadonlySet<string> {
  return request.candidateItemIds === null ? available : new Set(request.candidateItemIds.filter((id) => available.has(id)));
}

/**
 * A uniformly random slate over the candidates: every candidate is at every position with probability
 * 1 / N, N = the number of candidates (the available catalog of the snapshot, or the request's list).
 */
export function uniformRandomTarget(catalog: readonly CatalogItem[]): TargetPolicy {
  const available = new Set(catalog.filter((item) => item.available).map((item) => item.itemId));
  return {
    name: 'uniform-random',
    probability(request, itemId) {
      const candidates = candidatesOf(request, available);
      return candidates.has(itemId) ? 1 / candidates.size : 0;
    },
    expectation(request, position, model) {
      const candidates = candidatesOf(request, available);
      let sum = 0;
      for (const itemId of candidates) sum += model.predict(itemId, position);
      return candidates.size > 0 ? sum / candidates.size : 0;
    },
  };
}

/**
 * A deterministic policy defined from logged data: items ranked by their clicks in `training` feedback
 * (ties by itemId); on a product page the viewed item's category comes first (the viewed item itself
 * is left out). The slate is the first positions of that order among the available candidates.
 */
export function popularityByCategoryTarget(catalog: readonly CatalogItem[], training: readonly UserFeedback[]): TargetPolicy {
  const clicks = new Map<string, number>();
  for (const event of training) if (event.type === 'CLICK') clicks.set(event.itemId, (clicks.get(event.itemId) ?? 0) + 1);
  const available = catalog.filter((item) => item.available);
  const categoryOf = new Map(catalog.map((item) => [item.itemId, item.category]));
  const byPopularity = [...available].sort(
    (a, b) => (clicks.get(b.itemId) ?? 0) - (clicks.get(a.itemId) ?? 0) || a.itemId.localeCompare(b.itemId),
  );
  const availableIds = new Set(available.map((item) => item.itemId));
  const slates = new Map<string, string[]>();

  const slateFor = (request: LoggedRequest, length: number): string[] => {
    const context = request.contextItemId;
    const key = `${context ?? ''}|${length}|${request.candidateItemIds?.join(',') ?? '*'}`;
    let slate = slates.get(key);
    if (slate !== undefined) return slate;
    const candidates = candidatesOf(request, availableIds);
    const category = context === null ? undefined : categoryOf.get(context);
    const eligible = byPopularity.filter((item) => candidates.has(item.itemId) && item.itemId !== context);
    const first = category === undefined ? [] : eligible.filter((item) => item.category === category);
    const rest = category === undefined ? eligible : eligible.filter((item) => item.category !== category);
    slate = [...first, ...rest].slice(0, length).map((item) => item.itemId);
    if (slates.size < 100_000) slates.set(key, slate);
    return slate;
  };

  const lengthOf = (request: LoggedRequest) => Math.max(...request.slots.map((slot) => slot.position)) + 1;
  return {
    name: 'popularity-by-category',
    probability(request, itemId, position) {
      return slateFor(request, lengthOf(request))[position] === itemId ? 1 : 0;
    },
    expectation(request, position, model) {
      const itemId = slateFor(request, lengthOf(request))[position];
      return itemId === undefined ? 0 : model.predict(itemId, position);
    },
  };
}
