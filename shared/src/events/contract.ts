/**
 * The public contract (docs/contract.md) as TypeScript types. They mirror the .avsc files in
 * shared/schemas field for field and depend on nothing.
 */

export interface RecommendationRequest {
  /** Unique; the idempotency key. */
  requestId: string;
  userId: string;
  /** Epoch milliseconds. */
  timestamp: number;
  /** home, product, cart, search, ... */
  surface: string;
  /** The item being viewed (related-item recommendations), or null. */
  contextItemId: string | null;
  /** Candidates to choose from; null means the whole available catalog. */
  candidateItemIds: string[] | null;
  slateSize: number;
  /** device, locale, ... */
  attributes: Record<string, string>;
}

export interface RecommendedItem {
  itemId: string;
  /** 0-based. */
  position: number;
  /** The Q-value. */
  score: number;
  /** Probability that the serving policy puts this item at this position, given the request. */
  propensity: number;
  explored: boolean;
}

export interface RecommendationAction {
  requestId: string;
  userId: string;
  timestamp: number;
  items: RecommendedItem[];
  /** 0 before any training. */
  modelVersion: number;
  epsilon: number;
  /** ddqn, random, popularity. */
  policy: string;
}

export const FEEDBACK_TYPES = ['IMPRESSION', 'CLICK', 'ADD_TO_CART', 'PURCHASE'] as const;
export type FeedbackType = (typeof FEEDBACK_TYPES)[number];

export interface UserFeedback {
  eventId: string;
  userId: string;
  /** The recommendation this feedback answers; null for organic behaviour. */
  requestId: string | null;
  itemId: string;
  type: FeedbackType;
  /** e.g. the order value of a purchase. */
  value: number;
  timestamp: number;
}

export interface CatalogItem {
  itemId: string;
  category: string;
  price: number;
  /** Numeric item properties. */
  features: number[];
  /** false: never recommend it (out of stock, withdrawn or unsafe). */
  available: boolean;
  updatedAt: number;
}
