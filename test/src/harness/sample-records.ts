import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from '@rec/shared';

/** A valid RecommendationRequest; `overrides` replace fields. */
export function sampleRequest(overrides: Partial<RecommendationRequest> = {}): RecommendationRequest {
  return {
    requestId: 'req-1',
    userId: 'user-1',
    timestamp: 1_700_000_000_000,
    surface: 'product',
    contextItemId: 'item-3',
    candidateItemIds: ['item-1', 'item-2', 'item-3'],
    slateSize: 2,
    attributes: { device: 'mobile', locale: 'en-GB' },
    ...overrides,
  };
}

/** A valid RecommendationAction answering sampleRequest(); `overrides` replace fields. */
export function sampleAction(overrides: Partial<RecommendationAction> = {}): RecommendationAction {
  return {
    requestId: 'req-1',
    userId: 'user-1',
    timestamp: 1_700_000_000_050,
    items: [
      { itemId: 'item-2', position: 0, score: 0.75, propensity: 0.95, explored: false },
      { itemId: 'item-1', position: 1, score: 0.25, propensity: 0.05, explored: true },
    ],
    modelVersion: 3,
    epsilon: 0.1,
    policy: 'ddqn',
    ...overrides,
  };
}

/** A valid UserFeedback (a click on sampleAction()'s first item); `overrides` replace fields. */
export function sampleFeedback(overrides: Partial<UserFeedback> = {}): UserFeedback {
  return {
    eventId: 'ev-1',
    userId: 'user-1',
    requestId: 'req-1',
    itemId: 'item-2',
    type: 'CLICK',
    value: 0,
    timestamp: 1_700_000_001_000,
    ...overrides,
  };
}

/** A valid CatalogItem (features are float32-exact); `overrides` replace fields. */
export function sampleCatalogItem(overrides: Partial<CatalogItem> = {}): CatalogItem {
  return {
    itemId: 'item-2',
    category: 'shoes',
    price: 49.5,
    features: [0.5, 1, -2.25],
    available: true,
    updatedAt: 1_699_999_000_000,
    ...overrides,
  };
}
