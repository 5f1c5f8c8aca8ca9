import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchingProducer,
  DLQ_HEADERS,
  DeadLetterPublisher,
  ServiceMetrics,
  ValidationError,
  codecs,
  dlqTopic,
  runBatchConsumer,
  validateRequest,
  type ConsumedRecord,
  type RecommendationRequest,
} from '@rec/shared';
import { openTestContext, sampleRequest, waitFor, type RawMessage, type TestContext } from '../harness';

/**
 * docs/contract.md, dead letters: a message that cannot be decoded, or decodes to something invalid, goes to
 * `<topic>.dlq` with its original bytes and the reason in headers, is counted, and the consumer keeps going.
 */
describe('dead-lettering in runBatchConsumer', () => {
  let ctx: TestContext;
  let metrics: ServiceMetrics;
  const handled: ConsumedRecord<RecommendationRequest>[] = [];

  const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37]);
  const emptyId = codecs.request.encode(sampleRequest({ requestId: '' }));
  const valid = (index: number): RawMessage => ({ key: 'user-1', value: codecs.request.encode(sampleRequest({ requestId: `r-${index}` })) });
  // One key, so one partition and a known order: 4 valid, garbage, 3 valid, an empty id, a poison record, 2 valid, a null value.
  const messages: RawMessage[] = [
    ...[0, 1, 2, 3].map(valid),
    { key: 'user-1', value: garbage, headers: { 'trace-id': 'abc' } },
    ...[4, 5, 6].map(valid),
    { key: 'user-1', value: emptyId },
    { key: 'user-1', value: codecs.request.encode(sampleRequest({ requestId: 'r-poison' })) },
    ...[7, 8].map(valid),
    { key: 'user-1', value: null },
  ];
  const validIds = ['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6', 'r-7', 'r-8'];

  before(async () => {
    ctx = await openTestContext('dlq');
    await ctx.createTopics(2);
    metrics = new ServiceMetrics('it-dlq');
    const producer = new BatchingProducer(ctx.kafka);
    await producer.connect();
    const consumer = ctx.kafka.consumer({ groupId: ctx.ns.groupId('dlq'), sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    ctx.onCleanup(() => producer.disconnect());
    ctx.onCleanup(() => consumer.disconnect());
    await ctx.produceMessages(ctx.ns.topics.requests, messages);
    await runBatchConsumer<RecommendationRequest>({
      consumer,
      decoders: { [ctx.ns.topics.requests]: (bytes) => validateRequest(codecs.request.decode(bytes)) },
      handle: async (records) => {
        // A handler error that is not retriable: only this record must go to the DLQ.
        if (records.some((record) => record.value.requestId === 'r-poison')) throw new ValidationError('unknown item', 'unknown-item');
        handled.push(...records);
      },
      deadLetters: new DeadLetterPublisher(producer, metrics, ctx.logger),
      metrics,
      logger: ctx.logger,
      maxChunk: 3,
    });
  });
  after(() => ctx.cleanup());

  it('hands every valid message to the handler, in order, including those after the bad ones', async () => {
    await waitFor(() => new Set(handled.map((record) => record.value.requestId)).size >= validIds.length, { what: 'the valid requests' });
    const firstSeen = [...new Set(handled.map((record) => record.value.requestId))];
    assert.deepEqual(firstSeen, validIds);
    assert.ok(handled.every((record) => record.key === 'user-1' && record.topic === ctx.ns.topics.requests));
  });

  it('sends the garbage, the invalid, the poison and the empty message to <topic>.dlq with their reasons', async () => {
    const dlq = await ctx.consumeUntil(dlqTopic(ctx.ns.topics.requests), (received) => received.length >= 4);
    assert.equal(dlq.length, 4);
    const [decodeFailure, emptyIdFailure, poisonFailure, nullFailure] = dlq;

    assert.deepEqual(decodeFailure.value, garbage, 'original bytes kept');
    assert.equal(decodeFailure.key, 'user-1', 'original key kept');
    assert.equal(decodeFailure.headers[DLQ_HEADERS.reason], 'decode');
    assert.equal(decodeFailure.headers[DLQ_HEADERS.sourceTopic], ctx.ns.topics.requests);
    assert.equal(decodeFailure.headers[DLQ_HEADERS.sourceOffset], '4');
    assert.equal(decodeFailure.headers[DLQ_HEADERS.service], 'it-dlq');
    assert.equal(decodeFailure.headers['trace-id'], 'abc', 'original headers kept');
    assert.ok(decodeFailure.headers[DLQ_HEADERS.error].length > 0);
    assert.ok(Number(decodeFailure.headers[DLQ_HEADERS.failedAt]) > 0);

    assert.deepEqual(emptyIdFailure.value, emptyId);
    assert.equal(emptyIdFailure.headers[DLQ_HEADERS.reason], 'empty-id');
    assert.equal(emptyIdFailure.headers[DLQ_HEADERS.sourceOffset], '8');

    assert.equal(poisonFailure.headers[DLQ_HEADERS.reason], 'unknown-item');
    assert.equal(poisonFailure.headers[DLQ_HEADERS.sourceOffset], '9');

    assert.equal(nullFailure.headers[DLQ_HEADERS.reason], 'decode');
    assert.equal(nullFailure.value?.length ?? 0, 0);
  });

  it('counts dead letters by source topic and reason', async () => {
    const counts = (await metrics.deadLetters.get()).values.map(({ labels, value }) => [labels.reason, value]);
    assert.deepEqual(Object.fromEntries(counts), { decode: 2, 'empty-id': 1, 'unknown-item': 1 });
    const body = await metrics.registry.metrics();
    assert.match(body, /rec_dlq_messages_total\{.*reason="decode".*service="it-dlq".*\} 2/);
  });
});
