import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import * as avro from 'avsc';
import {
  DecodeError,
  RegistryWriterSchemas,
  TransientError,
  codecs,
  registryFrame,
  useWriterSchemaSource,
  type AvroCodec,
  type RecommendationRequest,
} from '@rec/shared';
import { openTestContext, plainRecord, sampleAction, sampleCatalogItem, sampleFeedback, sampleRequest, waitFor, type TestContext } from '../harness';
import { ServiceStack } from '../harness/service-stack';

/**
 * The Confluent Schema Registry wire format on the public topics, against @kafkajs/confluent-schema-registry's
 * own encoder and decoder. No registry speaking the Confluent API runs on this machine (Karapace is not
 * installable from the PyPI mirror here, there is no Docker engine for Confluent's or Apicurio's images),
 * so the library's schema cache is primed with the schemas instead of fetched over HTTP: the bytes are
 * the library's own, end to end. Apicurio Registry from Maven Central was tried too: Central holds
 * io.apicurio:apicurio-registry-app only as the Quarkus application's plain jar (no -runner jar, no
 * distribution), and augmenting it into a runnable app with quarkus-maven-plugin stops at dependency
 * resolution, on modules Central (as reached from here) does not have: for 3.3.3
 * apicurio-registry-schema-util-provider 3.3.3 and quarkus-smallrye-health-parent 3.33.3.1, for
 * 2.6.13.Final apicurio-registry-schema-util-provider and apicurio-common-app-components 0.2.7.Final, for
 * 3.0.9 its parent pom.
 */

/** A registry client whose schema cache holds `schemas` by id, so it encodes and decodes without a server. */
function primedRegistry(schemas: Record<number, avro.Schema>): SchemaRegistry {
  const registry = new SchemaRegistry({ host: 'http://127.0.0.1:9', retry: { retries: 0 } });
  for (const [id, schema] of Object.entries(schemas)) registry.cache.setSchema(Number(id), SchemaType.AVRO, avro.Type.forSchema(schema) as never);
  return registry;
}

const PUBLIC: Array<{ name: string; id: number; codec: AvroCodec<unknown>; record: unknown }> = [
  { name: 'RecommendationRequest', id: 101, codec: codecs.request as AvroCodec<unknown>, record: sampleRequest() },
  { name: 'RecommendationAction', id: 102, codec: codecs.action as AvroCodec<unknown>, record: sampleAction() },
  { name: 'UserFeedback', id: 103, codec: codecs.feedback as AvroCodec<unknown>, record: sampleFeedback() },
  { name: 'CatalogItem', id: 104, codec: codecs.catalogItem as AvroCodec<unknown>, record: sampleCatalogItem() },
];

/** RecommendationRequest as a newer producer may register it: one more field, with a default. */
const NEWER_REQUEST_SCHEMA = (() => {
  const schema = JSON.parse(JSON.stringify(codecs.request.schema)) as { fields: unknown[] };
  schema.fields.push({ name: 'experiment', type: 'string', default: '' });
  return schema as avro.Schema;
})();

describe('Schema Registry wire format', () => {
  after(() => useWriterSchemaSource(null));

  it("reads every public record the library's encoder frames, and frames exactly as the library does", async () => {
    const registry = primedRegistry(Object.fromEntries(PUBLIC.map((entry) => [entry.id, entry.codec.schema])));
    for (const { name, id, codec, record } of PUBLIC) {
      const theirs = await registry.encode(id, record);
      assert.equal(theirs[0], 0, `${name}: magic byte`);
      assert.deepEqual(plainRecord(codec.decode(theirs)), record, `${name}: decoded from the library's bytes`);
      const ours = registryFrame(id, codec.encode(record));
      assert.deepEqual(ours, theirs, `${name}: the same bytes`);
      assert.deepEqual(plainRecord(await registry.decode(ours)), record, `${name}: the library reads ours`);
      // Plain Avro still reads as before.
      assert.deepEqual(plainRecord(codec.decode(codec.encode(record))), record);
    }
  });

  it('resolves a newer writer schema through the registry (retrying until it is fetched), and without one reads only its own schema', async () => {
    const registry = primedRegistry({ 201: NEWER_REQUEST_SCHEMA });
    const newer = { ...sampleRequest({ requestId: 'newer-1' }), experiment: 'b' };
    const bytes = await registry.encode(201, newer);

    useWriterSchemaSource(null);
    assert.throws(() => codecs.request.decode(bytes), (error: unknown) => error instanceof DecodeError, 'without a registry, another writer schema is a decode error');

    const source = new RegistryWriterSchemas(registry);
    useWriterSchemaSource(source);
    assert.throws(() => codecs.request.decode(bytes), (error: unknown) => error instanceof TransientError && error.retriable, 'retried, never dead-lettered, while the schema is fetched');
    await source.fetch(201);
    const decoded = codecs.request.decode(bytes) as RecommendationRequest & { experiment?: string };
    assert.equal(decoded.requestId, 'newer-1');
    assert.equal(decoded.experiment, undefined, 'the reader keeps its own fields');
    assert.deepEqual(plainRecord(decoded), sampleRequest({ requestId: 'newer-1' }));
    useWriterSchemaSource(null);
  });

  describe('on the real broker', () => {
    let ctx: TestContext;

    before(async () => {
      ctx = await openTestContext('registry-framing');
      await ctx.createTopics(2);
      await ctx.produceRecords(ctx.ns.topics.catalog, codecs.catalogItem, ['item-1', 'item-2', 'item-3'].map((itemId) => sampleCatalogItem({ itemId })), (item) => item.itemId);
      await new ServiceStack(ctx).actor({ ACTOR_POLICY: 'random' });
    });

    after(() => ctx.cleanup());

    it('an actor answers a request a Confluent-serialising producer framed, beside a plain one', async () => {
      const registry = primedRegistry({ 301: codecs.request.schema });
      const framed = sampleRequest({ requestId: 'framed-1', userId: 'user-f', timestamp: Date.now() });
      const plain = sampleRequest({ requestId: 'plain-1', userId: 'user-p', timestamp: Date.now() });
      await ctx.produceMessages(ctx.ns.topics.requests, [
        { key: framed.userId, value: await registry.encode(301, framed) },
        { key: plain.userId, value: codecs.request.encode(plain) },
      ]);
      const answered = new Set<string>();
      await ctx.consumeUntil(
        ctx.ns.topics.actions,
        (all) => {
          for (const message of all) answered.add(codecs.action.decode(message.value).requestId);
          return answered.has('framed-1') && answered.has('plain-1');
        },
        { timeoutMs: 30_000 },
      );
      await waitFor(() => answered.size >= 2, { what: 'both actions' });
    });
  });
});
