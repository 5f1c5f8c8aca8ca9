import { ValidationError } from '../errors/errors';
import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from './contract';

/** Largest slate a request may ask for. */
export const MAX_SLATE_SIZE = 100;

function requireId(value: string, field: string): void {
  if (value.trim().length === 0) throw new ValidationError(`${field} is empty`, 'empty-id');
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
  return request;
}

export function validateAction(action: RecommendationAction): RecommendationAction {
  requireId(action.requestId, 'requestId');
  requireId(action.userId, 'userId');
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
  item.features.forEach((value, index) => requireFinite(value, `features[${index}]`));
  return item;
}
