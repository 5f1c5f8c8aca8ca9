import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../errors/errors';
import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from './contract';
import { MAX_SLATE_SIZE, validateAction, validateCatalogItem, validateFeedback, validateRequest } from './validate';

const request: RecommendationRequest = {
  requestId: 'r1',
  userId: 'u1',
  timestamp: 1,
  surface: 'home',
  contextItemId: null,
  candidateItemIds: null,
  slateSize: 10,
  attributes: {},
};
const action: RecommendationAction = {
  requestId: 'r1',
  userId: 'u1',
  timestamp: 2,
  items: [{ itemId: 'i1', position: 0, score: 0.5, propensity: 0.9, explored: false }],
  modelVersion: 0,
  epsilon: 0.1,
  policy: 'random',
};
const feedback: UserFeedback = { eventId: 'e1', userId: 'u1', requestId: 'r1', itemId: 'i1', type: 'CLICK', value: 0, timestamp: 3 };
const item: CatalogItem = { itemId: 'i1', category: 'c', price: 10, features: [1, 2], available: true, updatedAt: 4 };

/** Asserts a non-retriable ValidationError with the given reason, whose message names `field`. */
function assertInvalid(run: () => unknown, reason: string, field: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.equal(error.retriable, false);
    assert.equal(error.reason, reason);
    assert.ok(error.message.includes(field), `"${error.message}" should name ${field}`);
    return true;
  });
}

describe('validation of contract records', () => {
  it('accepts valid records and returns them unchanged', () => {
    assert.equal(validateRequest(request), request);
    assert.equal(validateAction(action), action);
    assert.equal(validateFeedback(feedback), feedback);
    assert.equal(validateFeedback({ ...feedback, requestId: null }).requestId, null);
    assert.equal(validateCatalogItem(item), item);
    assert.equal(validateCatalogItem({ ...item, features: [] }).features.length, 0);
  });

  it('rejects empty and blank ids', () => {
    assertInvalid(() => validateRequest({ ...request, requestId: '' }), 'empty-id', 'requestId');
    assertInvalid(() => validateRequest({ ...request, userId: '   ' }), 'empty-id', 'userId');
    assertInvalid(() => validateRequest({ ...request, contextItemId: '' }), 'empty-id', 'contextItemId');
    assertInvalid(() => validateAction({ ...action, userId: '' }), 'empty-id', 'userId');
    assertInvalid(() => validateAction({ ...action, items: [{ ...action.items[0], itemId: '' }] }), 'empty-id', 'itemId');
    assertInvalid(() => validateFeedback({ ...feedback, eventId: '' }), 'empty-id', 'eventId');
    assertInvalid(() => validateFeedback({ ...feedback, itemId: '\t' }), 'empty-id', 'itemId');
    assertInvalid(() => validateFeedback({ ...feedback, requestId: '' }), 'empty-id', 'requestId');
    assertInvalid(() => validateCatalogItem({ ...item, itemId: '' }), 'empty-id', 'itemId');
  });

  it('rejects NaN and infinite numbers', () => {
    assertInvalid(() => validateCatalogItem({ ...item, price: Number.NaN }), 'not-finite', 'price');
    assertInvalid(() => validateCatalogItem({ ...item, price: Number.POSITIVE_INFINITY }), 'not-finite', 'price');
    assertInvalid(() => validateCatalogItem({ ...item, features: [1, Number.NaN] }), 'not-finite', 'features[1]');
    assertInvalid(() => validateFeedback({ ...feedback, value: Number.NaN }), 'not-finite', 'value');
    assertInvalid(() => validateAction({ ...action, items: [{ ...action.items[0], score: Number.NaN }] }), 'not-finite', 'score');
    assertInvalid(() => validateAction({ ...action, items: [{ ...action.items[0], propensity: Number.NaN }] }), 'not-finite', 'propensity');
  });

  it('rejects slate sizes outside 1..MAX_SLATE_SIZE and propensities outside [0, 1]', () => {
    for (const slateSize of [0, -1, MAX_SLATE_SIZE + 1, 2.5]) {
      assertInvalid(() => validateRequest({ ...request, slateSize }), 'bad-slate-size', 'slateSize');
    }
    assert.equal(validateRequest({ ...request, slateSize: MAX_SLATE_SIZE }).slateSize, MAX_SLATE_SIZE);
    assertInvalid(() => validateAction({ ...action, items: [{ ...action.items[0], propensity: 1.5 }] }), 'bad-propensity', 'propensity');
    assertInvalid(() => validateAction({ ...action, items: [{ ...action.items[0], propensity: -0.1 }] }), 'bad-propensity', 'propensity');
  });
});
