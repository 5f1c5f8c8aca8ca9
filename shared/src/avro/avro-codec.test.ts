import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type * as avro from 'avsc';
import { DecodeError } from '../errors/errors';
import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from '../events/contract';
import type { ModelUpdate, ModelWeights, ModelWeightsDelta, Transition } from '../events/internal';
import { AvroCodec, SCHEMA_DIR } from './avro-codec';
import { codecs } from './codecs';

const request: RecommendationRequest = {
  requestId: 'req-1',
  userId: 'user-1',
  timestamp: 1_700_000_000_123,
  surface: 'product',
  contextItemId: 'item-9',
  candidateItemIds: ['item-1', 'item-2'],
  slateSize: 3,
  attributes: { device: 'mobile', locale: 'de-DE' },
};
const action: RecommendationAction = {
  requestId: 'req-1',
  userId: 'user-1',
  timestamp: 1_700_000_000_200,
  items: [
    { itemId: 'item-2', position: 0, score: 1.25, propensity: 0.9, explored: false },
    { itemId: 'item-1', position: 1, score: -0.5, propensity: 0.05, explored: true },
  ],
  modelVersion: 42,
  epsilon: 0.1,
  policy: 'ddqn',
};
const feedback: UserFeedback = {
  eventId: 'ev-1',
  userId: 'user-1',
  requestId: 'req-1',
  itemId: 'item-2',
  type: 'PURCHASE',
  value: 19.99,
  timestamp: 1_700_000_001_000,
};
// Features are Avro floats (32 bits): use values float32 represents exactly.
const catalogItem: CatalogItem = {
  itemId: 'item-2',
  category: 'shoes',
  price: 59.9,
  features: [0.5, -1.25, 3],
  available: false,
  updatedAt: 1_699_999_999_000,
};
const transition: Transition = {
  transitionId: 'req-1/item-2',
  userId: 'user-1',
  requestId: 'req-1',
  itemId: 'item-2',
  position: 0,
  encoderVersion: 1,
  state: Buffer.from(Float32Array.from([0.25, 1, -2]).buffer),
  itemFeatures: Buffer.from(Float32Array.from([1, 0]).buffer),
  reward: 5,
  nextState: null,
  done: true,
  nextRequestId: null,
  slateReward: 0.5,
  propensity: 0.9,
  modelVersion: 42,
  requestTimestamp: 1_700_000_000_123,
  lastFeedbackTimestamp: 1_700_000_001_000,
  emittedAt: 1_700_000_061_000,
};
const modelUpdate: ModelUpdate = {
  updateId: 'upd-1',
  modelId: 'ddqn',
  learnerId: 'learner-1',
  baseVersion: 41,
  layoutHash: 'abc123',
  gradients: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]),
  checksum: 4_294_967_295,
  batchSize: 256,
  tdLoss: 0.031,
  meanQ: 1.7,
  newestSampleTimestamp: null,
  timestamp: 1_700_000_002_000,
  gradientEncoding: 'DENSE',
  sequence: 7,
};
const modelWeights: ModelWeights = {
  modelId: 'ddqn',
  role: 'TARGET',
  version: 42,
  layoutHash: 'abc123',
  values: Buffer.from([9, 8, 7, 6]),
  checksum: 12_345,
  newestSampleTimestamp: 1_700_000_001_000,
  publishedAt: 1_700_000_003_000,
  learnerProgress: { 'learner-1-abc': 41 },
};
const modelWeightsDelta: ModelWeightsDelta = { ...modelWeights, role: 'ONLINE', version: 47, baseVersion: 42, baseChecksum: 54_321, weightsChecksum: 67_890 };

/** avsc decodes records into instances of generated classes; compare their plain data. */
function toPlain(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toPlain(entry)]));
}

/** A record schema as JSON, to derive older and newer versions of it. */
type RecordSchema = { fields: { name: string; type: unknown; default?: unknown }[] } & Record<string, unknown>;

function readSchema(name: string): RecordSchema {
  return JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${name}.avsc`), 'utf8')) as RecordSchema;
}

function asSchema(schema: RecordSchema): avro.Schema {
  return schema as unknown as avro.Schema;
}

function assertDecodeError(run: () => unknown, pattern?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof DecodeError, `expected a DecodeError, got ${String(error)}`);
    assert.equal(error.retriable, false);
    assert.equal(error.reason, 'decode');
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

/** A deterministic byte generator (mulberry32), so a failure is reproducible. */
function randomBytes(seed: number, length: number): Buffer {
  let state = seed;
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < length; index += 1) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    bytes[index] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return bytes;
}

/** Every record with its codec: the 4 of the public contract and the 4 internal ones. */
const samples: [name: keyof typeof codecs, codec: AvroCodec<unknown>, value: unknown][] = [
  ['request', codecs.request, request],
  ['action', codecs.action, action],
  ['feedback', codecs.feedback, feedback],
  ['catalogItem', codecs.catalogItem, catalogItem],
  ['transition', codecs.transition, transition],
  ['modelUpdate', codecs.modelUpdate, modelUpdate],
  ['modelWeights', codecs.modelWeights, modelWeights],
  ['modelWeightsDelta', codecs.modelWeightsDelta, modelWeightsDelta],
];

describe('Avro codecs', () => {
  it('has a codec for every schema file; the contract records live in rec.events', () => {
    const files = fs.readdirSync(SCHEMA_DIR).filter((file) => file.endsWith('.avsc')).map((file) => file.replace('.avsc', ''));
    const names = Object.values(codecs).map((codec) => codec.name);
    assert.deepEqual(names.map((name) => name.split('.').at(-1)).sort(), files.sort());
    const contract = [codecs.request, codecs.action, codecs.feedback, codecs.catalogItem].map((codec) => codec.name);
    assert.deepEqual(contract, ['rec.events.RecommendationRequest', 'rec.events.RecommendationAction', 'rec.events.UserFeedback', 'rec.events.CatalogItem']);
  });

  for (const [name, codec, value] of samples) {
    it(`round-trips a ${name}`, () => {
      const bytes = codec.encode(value);
      assert.ok(Buffer.isBuffer(bytes) && bytes.length > 0);
      assert.deepStrictEqual(toPlain(codec.decode(bytes)), value);
    });
  }

  it('round-trips the other branch of every nullable field', () => {
    const organic: UserFeedback = { ...feedback, requestId: null, type: 'IMPRESSION', value: 0 };
    assert.deepStrictEqual(toPlain(codecs.feedback.decode(codecs.feedback.encode(organic))), organic);
    const wholeCatalog: RecommendationRequest = { ...request, contextItemId: null, candidateItemIds: null, attributes: {} };
    assert.deepStrictEqual(toPlain(codecs.request.decode(codecs.request.encode(wholeCatalog))), wholeCatalog);
    const notDone: Transition = { ...transition, nextState: Buffer.from([1, 2, 3, 4]), done: false, nextRequestId: 'req-2', slateReward: null, lastFeedbackTimestamp: null };
    assert.deepStrictEqual(toPlain(codecs.transition.decode(codecs.transition.encode(notDone))), notDone);
  });

  it('fills the contract defaults when the writer leaves those fields out', () => {
    const minimal = { requestId: 'r', userId: 'u', timestamp: 5 } as RecommendationRequest;
    const decoded = codecs.request.decode(codecs.request.encode(minimal));
    assert.deepStrictEqual(toPlain(decoded), {
      requestId: 'r',
      userId: 'u',
      timestamp: 5,
      surface: 'home',
      contextItemId: null,
      candidateItemIds: null,
      slateSize: 10,
      attributes: {},
    });
  });

  it('refuses to encode a record that misses a required field', () => {
    assert.throws(() => codecs.catalogItem.encode({ itemId: 'x' } as CatalogItem));
  });
});

describe('Avro schema evolution', () => {
  it('reads RecommendationRequest bytes written before slateSize and attributes existed, with their defaults', () => {
    const current = readSchema('RecommendationRequest');
    const older = { ...current, fields: current.fields.filter((field) => field.name !== 'slateSize' && field.name !== 'attributes') };
    const olderCodec = new AvroCodec<Omit<RecommendationRequest, 'slateSize' | 'attributes'>>(asSchema(older));
    const { slateSize: _slateSize, attributes: _attributes, ...oldRecord } = request;
    const oldBytes = olderCodec.encode(oldRecord);

    const decoded = codecs.request.readerFor(asSchema(older))(oldBytes);
    assert.deepStrictEqual(toPlain(decoded), { ...oldRecord, slateSize: 10, attributes: {} });
  });

  it('reads UserFeedback bytes written before requestId and value existed, with their defaults', () => {
    const current = readSchema('UserFeedback');
    const older = { ...current, fields: current.fields.filter((field) => field.name !== 'requestId' && field.name !== 'value') };
    const { requestId: _requestId, value: _value, ...oldRecord } = feedback;
    const oldBytes = new AvroCodec<typeof oldRecord>(asSchema(older)).encode(oldRecord);
    assert.deepStrictEqual(toPlain(codecs.feedback.readerFor(asSchema(older))(oldBytes)), { ...oldRecord, requestId: null, value: 0 });
  });

  it('reads Transition bytes from a joiner that predates n-step links as unlinked (nulls)', () => {
    const current = readSchema('Transition');
    const older = { ...current, fields: current.fields.filter((field) => field.name !== 'nextRequestId' && field.name !== 'slateReward') };
    const { nextRequestId: _next, slateReward: _slate, ...oldRecord } = transition;
    const oldBytes = new AvroCodec<typeof oldRecord>(asSchema(older)).encode(oldRecord);
    assert.deepStrictEqual(toPlain(codecs.transition.readerFor(asSchema(older))(oldBytes)), { ...oldRecord, nextRequestId: null, slateReward: null });
  });

  it('reads ModelUpdate bytes from a learner that predates row-sparse gradients as DENSE', () => {
    const current = readSchema('ModelUpdate');
    const older = { ...current, fields: current.fields.filter((field) => field.name !== 'gradientEncoding' && field.name !== 'sequence') };
    const { gradientEncoding: _encoding, sequence: _sequence, ...oldRecord } = modelUpdate;
    const oldBytes = new AvroCodec<typeof oldRecord>(asSchema(older)).encode(oldRecord);
    assert.deepStrictEqual(toPlain(codecs.modelUpdate.readerFor(asSchema(older))(oldBytes)), { ...oldRecord, gradientEncoding: 'DENSE', sequence: -1 });
  });

  it('reads ModelWeights bytes from a parameter server that predates learnerProgress as an empty map', () => {
    const current = readSchema('ModelWeights');
    const older = { ...current, fields: current.fields.filter((field) => field.name !== 'learnerProgress') };
    const { learnerProgress: _progress, ...oldRecord } = modelWeights;
    const oldBytes = new AvroCodec<typeof oldRecord>(asSchema(older)).encode(oldRecord);
    assert.deepStrictEqual(toPlain(codecs.modelWeights.readerFor(asSchema(older))(oldBytes)), { ...oldRecord, learnerProgress: {} });
  });

  it('never reads a weights delta as full weights: a reader that knows only ModelWeights fails on its trailing fields', () => {
    // Internal records travel as plain Avro read with the reader's own schema (no registry framing), so a
    // reader that predates deltas decodes their shared prefix and must then refuse the rest.
    assert.throws(() => codecs.modelWeights.decode(codecs.modelWeightsDelta.encode(modelWeightsDelta)), (error: unknown) => error instanceof DecodeError && /trailing bytes/.test(error.message));
    const current = readSchema('ModelWeights');
    const delta = readSchema('ModelWeightsDelta');
    assert.deepEqual(delta.fields.slice(0, current.fields.length).map((field) => field.name), current.fields.map((field) => field.name), 'a delta starts with the full record\'s fields, in order');
  });

  it('skips a field a newer writer added', () => {
    const current = readSchema('CatalogItem');
    const newer = { ...current, fields: [...current.fields, { name: 'brand', type: 'string', default: '' }] };
    const newBytes = new AvroCodec<CatalogItem & { brand: string }>(asSchema(newer)).encode({ ...catalogItem, brand: 'acme' });
    assert.deepStrictEqual(toPlain(codecs.catalogItem.readerFor(asSchema(newer))(newBytes)), catalogItem);
  });

  it('refuses a writer schema that lacks a field without a default', () => {
    const current = readSchema('RecommendationRequest');
    const incompatible = { ...current, fields: current.fields.filter((field) => field.name !== 'userId') };
    assert.throws(() => codecs.request.readerFor(asSchema(incompatible)));
  });

  it('raises DecodeError when resolved bytes are garbage too', () => {
    const current = readSchema('RecommendationRequest');
    assertDecodeError(() => codecs.request.readerFor(asSchema(current))(Buffer.from([0xff, 0xff, 0xff])));
  });
});

describe('Avro decoding of invalid bytes', () => {
  it('raises a non-retriable DecodeError for an empty or null payload', () => {
    for (const [, codec] of samples) {
      assertDecodeError(() => codec.decode(Buffer.alloc(0)), /empty/);
      assertDecodeError(() => codec.decode(null), /empty/);
    }
  });

  it('raises DecodeError for every truncation of a valid record', () => {
    for (const [name, codec, value] of samples) {
      const bytes = codec.encode(value);
      for (let length = 1; length < bytes.length; length += 1) {
        assert.throws(() => codec.decode(bytes.subarray(0, length)), DecodeError, `${name} cut to ${length} of ${bytes.length} bytes`);
      }
    }
  });

  it('raises DecodeError for trailing garbage after a valid record', () => {
    for (const [, codec, value] of samples) {
      const bytes = codec.encode(value);
      assertDecodeError(() => codec.decode(Buffer.concat([bytes, Buffer.from([0x00])])), /trailing/);
      assertDecodeError(() => codec.decode(Buffer.concat([bytes, Buffer.from('garbage')])), /trailing/);
    }
  });

  it('raises DecodeError for random bytes', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const bytes = randomBytes(seed, 1 + (seed % 64));
      for (const [name, codec] of samples) {
        assert.throws(() => codec.decode(bytes), DecodeError, `${name}, seed ${seed}: ${bytes.toString('hex')}`);
      }
    }
  });

  it('raises DecodeError for plain text and JSON', () => {
    assertDecodeError(() => codecs.request.decode(Buffer.from('not avro at all')));
    assertDecodeError(() => codecs.feedback.decode(Buffer.from(JSON.stringify(feedback))));
  });

  it('raises DecodeError for an enum symbol the reader does not know', () => {
    const current = readSchema('UserFeedback');
    const widened = {
      ...current,
      fields: current.fields.map((field) =>
        field.name === 'type' ? { ...field, type: { type: 'enum', name: 'FeedbackType', symbols: ['IMPRESSION', 'CLICK', 'ADD_TO_CART', 'PURCHASE', 'RETURN'] } } : field,
      ),
    };
    const bytes = new AvroCodec<Omit<UserFeedback, 'type'> & { type: string }>(asSchema(widened)).encode({ ...feedback, type: 'RETURN' });
    assertDecodeError(() => codecs.feedback.decode(bytes));
  });
});
