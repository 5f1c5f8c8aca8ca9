import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../errors/errors';
import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from './contract';
import { MAX_CANDIDATES, MAX_ID_LENGTH, MAX_SLATE_SIZE, validateAction, validateCatalogItem, validateFeedback, validateRequest } from './validate';

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

  it('refuses hostile sizes: 10 KB ids, 100,000-element arrays, too many attributes or features', () => {
    const long = 'x'.repeat(10_000);
    assertInvalid(() => validateRequest({ ...request, userId: long }), 'oversized-id', 'userId');
    assertInvalid(() => validateFeedback({ ...feedback, eventId: long }), 'oversized-id', 'eventId');
    assertInvalid(() => validateCatalogItem({ ...item, itemId: long }), 'oversized-id', 'itemId');
    assert.doesNotThrow(() => validateRequest({ ...request, userId: 'u'.repeat(MAX_ID_LENGTH) }));
    const many = Array.from({ length: 100_000 }, (_, index) => `i${index}`);
    assertInvalid(() => validateRequest({ ...request, candidateItemIds: many }), 'too-many-candidates', 'candidateItemIds');
    assert.doesNotThrow(() => validateRequest({ ...request, candidateItemIds: many.slice(0, MAX_CANDIDATES) }));
    assertInvalid(() => validateRequest({ ...request, candidateItemIds: ['i1', ''] }), 'empty-id', 'candidateItemIds');
    const attributes = Object.fromEntries(many.slice(0, 1_000).map((key) => [key, 'v']));
    assertInvalid(() => validateRequest({ ...request, attributes }), 'too-many-attributes', 'attributes');
    assertInvalid(() => validateCatalogItem({ ...item, features: new Array<number>(100_000).fill(1) }), 'too-many-features', 'features');
    const slate = Array.from({ length: 100_000 }, (_, position) => ({ itemId: `i${position}`, position, score: 0, propensity: 0.1, explored: false }));
    assertInvalid(() => validateAction({ ...action, items: slate }), 'bad-slate-size', 'items');
    assertInvalid(() => validateAction({ ...action, epsilon: Number.NaN }), 'not-finite', 'epsilon');
  });
});
