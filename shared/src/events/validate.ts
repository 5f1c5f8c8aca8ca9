import { ValidationError } from '../errors/errors';
import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from './contract';

/** Largest slate a request may ask for. */
export const MAX_SLATE_SIZE = 100;
/** Longest id (characters): ids become Redis keys and Kafka keys; 10 KB ids are an attack, not a user. */
export const MAX_ID_LENGTH = 512;
/** Most explicit candidates a request may list (null means the whole catalog). */
export const MAX_CANDIDATES = 10_000;
/** Most request attributes. */
export const MAX_ATTRIBUTES = 64;
/** Most numeric features of a catalog item. */
export const MAX_ITEM_FEATURES = 1_024;

function requireId(value: string, field: string): void {
  if (value.trim().length === 0) throw new ValidationError(`${field} is empty`, 'empty-id');
  if (value.length > MAX_ID_LENGTH) throw new ValidationError(`${field} is ${value.length} characters long (most ${MAX_ID_LENGTH})`, 'oversized-id');
}

function requireAtMost(count: number, limit: number, field: string, reason: string): void {
  if (count > limit) throw new ValidationError(`${field} has ${count} entries (most ${limit})`, reason);
}

function requireFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new ValidationError(`${field} is not a finite number (${value})`, 'not-finite');
}

/** Checks what Avro cannot: non-empty ids, finite numbers, sane sizes. Throws ValidationError. */
export function validateRequest(request: RecommendationRequest): RecommendationRequest {
  requireId(request.requestId, 'requestId');
  requireId(request.userId, 'userId');
  if (!Number.isInteger(request.slateSize) || request.slateSize < 1 || request.slateSize > MAX_SLATE_SIZE) {
    throw new ValidationError(`slateSize must be 1..${MAX_SLATE_SIZE}, got ${request.slateSize}`, 'bad-slate-size');
  }
  if (request.contextItemId !== null) requireId(request.contextItemId, 'contextItemId');
  if (request.candidateItemIds !== null) {
    requireAtMost(request.candidateItemIds.length, MAX_CANDIDATES, 'candidateItemIds', 'too-many-candidates');
    for (const candidate of request.candidateItemIds) requireId(candidate, 'candidateItemIds[]');
  }
  const attributes = Object.entries(request.attributes);
  requireAtMost(attributes.length, MAX_ATTRIBUTES, 'attributes', 'too-many-attributes');
  for (const [name, value] of attributes) {
    if (name.length > MAX_ID_LENGTH || value.length > MAX_ID_LENGTH) throw new ValidationError(`attributes.${name.slice(0, 40)} is longer than ${MAX_ID_LENGTH} characters`, 'oversized-attribute');
  }
  return request;
}

export function validateAction(action: RecommendationAction): RecommendationAction {
  requireId(action.requestId, 'requestId');
  requireId(action.userId, 'userId');
  requireAtMost(action.items.length, MAX_SLATE_SIZE, 'items', 'bad-slate-size');
  requireFinite(action.epsilon, 'epsilon');
  for (const item of action.items) {
    requireId(item.itemId, 'items[].itemId');
    requireFinite(item.score, 'items[].score');
    requireFinite(item.propensity, 'items[].propensity');
    if (item.propensity < 0 || item.propensity > 1) {
      throw new ValidationError(`propensity must be in [0, 1], got ${item.propensity}`, 'bad-propensity');
    }
  }
  return action;
}

export function validateFeedback(feedback: UserFeedback): UserFeedback {
  requireId(feedback.eventId, 'eventId');
  requireId(feedback.userId, 'userId');
  requireId(feedback.itemId, 'itemId');
  if (feedback.requestId !== null) requireId(feedback.requestId, 'requestId');
  requireFinite(feedback.value, 'value');
  return feedback;
}

export function validateCatalogItem(item: CatalogItem): CatalogItem {
  requireId(item.itemId, 'itemId');
  requireFinite(item.price, 'price');
  requireAtMost(item.features.length, MAX_ITEM_FEATURES, 'features', 'too-many-features');
  item.features.forEach((value, index) => requireFinite(value, `features[${index}]`));
  return item;
}
