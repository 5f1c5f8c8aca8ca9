import { randomBytes } from 'node:crypto';
import {
  codecs,
  validateAction,
  validateCatalogItem,
  validateFeedback,
  validateRequest,
  type CatalogItem,
  type RecommendationAction,
  type RecommendationRequest,
  type TopicNames,
  type UserFeedback,
} from '@rec/shared';

/** One hostile message for a public topic, and whether the consumers must dead-letter it. */
export interface FuzzPayload {
  kind: string;
  key: string | null;
  value: Buffer | null;
  /** True when every consumer of the topic must send it to the DLQ; false when it is valid (served or folded in). */
  dlq: boolean;
}

const TEN_KB = 'x'.repeat(10_240);
const HUNDRED_THOUSAND = Array.from({ length: 100_000 }, (_, index) => `item-${index}`);

/** Bytes the consumer's own decoder and validator accept? (A fuzz payload may happen to be valid Avro.) */
function accepted(decodeAndValidate: () => unknown): boolean {
  try {
    decodeAndValidate();
    return true;
  } catch {
    return false;
  }
}

function generic(valid: Buffer, other: Buffer, accepts: (bytes: Buffer) => boolean): FuzzPayload[] {
  const bytes: [string, Buffer][] = [
    ...[1, 7, 64, 333].map((length): [string, Buffer] => [`random ${length} bytes`, randomBytes(length)]),
    ['empty bytes', Buffer.alloc(0)],
    ['truncated Avro', valid.subarray(0, Math.floor(valid.length / 2))],
    ["another record's bytes", other],
    ['schema-registry framed', Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), valid])],
    ['trailing garbage', Buffer.concat([valid, randomBytes(8)])],
  ];
  return bytes.map(([kind, value]) => ({ kind, key: 'fuzz-user', value, dlq: !accepts(value) }));
}

function records<T>(kind: string, encode: (record: T) => Buffer, validate: (bytes: Buffer) => boolean, list: [string, T][]): FuzzPayload[] {
  return list.map(([what, record]) => {
    const value = encode(record);
    return { kind: `${kind}: ${what}`, key: 'fuzz-user', value, dlq: !validate(value) };
  });
}

/** The hostile messages for each public topic of the contract. */
export function fuzzPayloads(topics: TopicNames): Map<string, FuzzPayload[]> {
  const request: RecommendationRequest = { requestId: 'fuzz-r', userId: 'fuzz-user', timestamp: Date.now(), surface: 'home', contextItemId: null, candidateItemIds: null, slateSize: 3, attributes: {} };
  const feedback: UserFeedback = { eventId: 'fuzz-e', userId: 'fuzz-user', requestId: 'fuzz-r', itemId: 'item-1', type: 'CLICK', value: 0, timestamp: Date.now() };
  const action: RecommendationAction = { requestId: 'fuzz-a', userId: 'fuzz-user', timestamp: Date.now(), items: [{ itemId: 'item-1', position: 0, score: 0.1, propensity: 0.5, explored: false }], modelVersion: 0, epsilon: 0.1, policy: 'ddqn' };
  const item: CatalogItem = { itemId: 'fuzz-item', category: 'c', price: 1, features: [0.5], available: false, updatedAt: Date.now() };
  const requestOk = (bytes: Buffer) => accepted(() => validateRequest(codecs.request.decode(bytes)));
  const feedbackOk = (bytes: Buffer) => accepted(() => validateFeedback(codecs.feedback.decode(bytes)));
  const actionOk = (bytes: Buffer) => accepted(() => validateAction(codecs.action.decode(bytes)));
  const itemOk = (bytes: Buffer) => accepted(() => validateCatalogItem(codecs.catalogItem.decode(bytes)));
  const enc = {
    request: (record: RecommendationRequest) => codecs.request.encode(record),
    feedback: (record: UserFeedback) => codecs.feedback.encode(record),
    action: (record: RecommendationAction) => codecs.action.encode(record),
    item: (record: CatalogItem) => codecs.catalogItem.encode(record),
  };
  const requests = [
    ...generic(enc.request(request), enc.feedback(feedback), requestOk),
    ...records('request', enc.request, requestOk, [
      ['empty requestId', { ...request, requestId: '' }],
      ['10 KB userId', { ...request, requestId: 'fuzz-r2', userId: TEN_KB }],
      ['100,000 candidates', { ...request, requestId: 'fuzz-r3', candidateItemIds: HUNDRED_THOUSAND }],
      ['slateSize -1', { ...request, requestId: 'fuzz-r4', slateSize: -1 }],
    ]),
    // Valid Avro, but no candidate is in the catalog: an empty slate, and a dead letter with reason no-candidates.
    { kind: 'request: only unknown items', key: 'fuzz-user', value: enc.request({ ...request, requestId: 'fuzz-r5', candidateItemIds: ['no-such-item-1', 'no-such-item-2'] }), dlq: true },
  ];
  const feedbackPayloads = [
    ...generic(enc.feedback(feedback), enc.request(request), feedbackOk),
    ...records('feedback', enc.feedback, feedbackOk, [
      ['NaN value', { ...feedback, eventId: 'fuzz-e2', value: Number.NaN }],
      ['Infinity value', { ...feedback, eventId: 'fuzz-e3', value: Number.POSITIVE_INFINITY }],
      ['empty eventId', { ...feedback, eventId: '' }],
      ['10 KB itemId', { ...feedback, eventId: 'fuzz-e4', itemId: TEN_KB }],
    ]),
  ];
  const actions = [
    ...generic(enc.action(action), enc.item(item), actionOk),
    ...records('action', enc.action, actionOk, [
      ['NaN score', { ...action, requestId: 'fuzz-a2', items: [{ ...action.items[0], score: Number.NaN }] }],
      ['propensity 7', { ...action, requestId: 'fuzz-a3', items: [{ ...action.items[0], propensity: 7 }] }],
      ['100,000 items', { ...action, requestId: 'fuzz-a4', items: HUNDRED_THOUSAND.map((itemId, position) => ({ itemId, position, score: 0, propensity: 0.1, explored: true })) }],
      ['10 KB requestId', { ...action, requestId: TEN_KB }],
    ]),
  ];
  const catalog = [
    ...generic(enc.item(item), enc.action(action), itemOk).filter((payload) => payload.value !== null),
    ...records('catalog item', enc.item, itemOk, [
      ['Infinity price', { ...item, itemId: 'fuzz-item-2', price: Number.POSITIVE_INFINITY }],
      ['NaN feature', { ...item, itemId: 'fuzz-item-3', features: [Number.NaN] }],
      ['100,000 features', { ...item, itemId: 'fuzz-item-4', features: new Array<number>(100_000).fill(0.5) }],
      ['empty itemId', { ...item, itemId: '' }],
    ]),
  ];
  return new Map([
    [topics.requests, requests],
    [topics.feedback, feedbackPayloads],
    [topics.actions, actions],
    [topics.catalog, catalog],
  ]);
}
