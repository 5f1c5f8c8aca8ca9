import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { MODEL_MESSAGE_MAX_BYTES, dlqTopic, ensureTopics, topicSpecs } from '@rec/shared';
import { openTestContext, waitFor, type TestContext } from '../harness';

/** ensureTopics against the real broker: creates the declared list once, then changes nothing. */
describe('ensureTopics', () => {
  let ctx: TestContext;
  let admin: Admin;

  before(async () => {
    ctx = await openTestContext('ensure-topics');
    admin = ctx.kafka.admin();
    await admin.connect();
    ctx.onCleanup(() => admin.disconnect());
  });
  after(() => ctx.cleanup());

  it('creates every topic and its .dlq on the first run, nothing on the second', async () => {
    const specs = topicSpecs(ctx.ns.topics, 3);
    const first = await ensureTopics(admin, specs);
    assert.deepEqual([...first.created].sort(), specs.map((spec) => spec.name).sort());
    assert.deepEqual(first.updated, []);

    const second = await ensureTopics(admin, specs);
    assert.deepEqual(second, { created: [], updated: [] });

    const existing = new Set((await admin.listTopics()).filter((topic) => topic.startsWith(ctx.ns.topicPrefix)));
    for (const name of Object.values(ctx.ns.topics)) {
      assert.ok(existing.has(name), `${name} exists`);
      assert.ok(existing.has(dlqTopic(name)), `${dlqTopic(name)} exists`);
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [ctx.ns.topics.requests, ctx.ns.topics.modelWeights] });
    assert.deepEqual(
      new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length])),
      new Map([
        [ctx.ns.topics.requests, 3],
        [ctx.ns.topics.modelWeights, 1],
      ]),
    );
  });

  it('applies compaction and the raised message size on the broker', async () => {
    const configs = await describe_(admin, [ctx.ns.topics.catalog, ctx.ns.topics.modelWeights, ctx.ns.topics.requests]);
    assert.equal(configs.get(ctx.ns.topics.catalog)?.get('cleanup.policy'), 'compact');
    assert.equal(configs.get(ctx.ns.topics.modelWeights)?.get('cleanup.policy'), 'compact');
    assert.equal(configs.get(ctx.ns.topics.modelWeights)?.get('max.message.bytes'), String(MODEL_MESSAGE_MAX_BYTES));
    assert.equal(configs.get(ctx.ns.topics.requests)?.get('cleanup.policy'), 'delete');
  });

  it('repairs drift: a changed config and too few partitions are put back', async () => {
    const catalog = ctx.ns.topics.catalog;
    const policyOf = async (topic: string) => (await describe_(admin, [topic])).get(topic)?.get('cleanup.policy');
    const partitionsOf = async (topic: string) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: catalog, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }],
    });
    // The controller commits the change first; the broker's view follows a moment later.
    await waitFor(async () => (await policyOf(catalog)) === 'delete', { what: 'the drift to reach the broker' });

    const result = await ensureTopics(admin, topicSpecs(ctx.ns.topics, 4));
    assert.deepEqual(result.created, []);
    assert.ok(result.updated.includes(catalog), `updated: ${result.updated.join(', ')}`);
    assert.ok(result.updated.includes(ctx.ns.topics.requests), 'partitions raised from 3 to 4');
    await waitFor(async () => (await policyOf(catalog)) === 'compact', { what: 'cleanup.policy=compact again' });
    await waitFor(async () => (await partitionsOf(ctx.ns.topics.requests)) === 4, { what: '4 partitions' });
    assert.deepEqual(await ensureTopics(admin, topicSpecs(ctx.ns.topics, 4)), { created: [], updated: [] });
  });

  it('alters only the keys it owns: an operator override (min.insync.replicas) survives a repair', async () => {
    const feedback = ctx.ns.topics.feedback;
    const configOf = async (name: string) => (await describe_(admin, [feedback])).get(feedback)?.get(name);
    // The operator sets min.insync.replicas and a segment size; someone also drifts a declared key.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: feedback,
          configEntries: [
            { name: 'min.insync.replicas', value: '1' },
            { name: 'segment.bytes', value: '12345678' },
            { name: 'retention.ms', value: '1000' },
            { name: 'cleanup.policy', value: 'delete' },
          ],
        },
      ],
    });
    await waitFor(async () => (await configOf('retention.ms')) === '1000', { what: 'the operator change to reach the broker' });

    const result = await ensureTopics(admin, topicSpecs(ctx.ns.topics, 4), 'alter');
    assert.deepEqual(result.updated, [feedback]);
    await waitFor(async () => (await configOf('retention.ms')) === String(24 * 3_600_000), { what: 'retention.ms repaired' });
    assert.equal(await configOf('segment.bytes'), '12345678', 'an operator override the topic list does not declare is kept');
    assert.equal(await configOf('min.insync.replicas'), '1', 'min.insync.replicas is kept');
  });

  it('MANAGE_TOPICS=create never touches an existing topic, and off touches nothing', async () => {
    const transitions = ctx.ns.topics.transitions;
    const retentionOf = async () => (await describe_(admin, [transitions])).get(transitions)?.get('retention.ms');
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: transitions, configEntries: [{ name: 'retention.ms', value: '7777' }, { name: 'cleanup.policy', value: 'delete' }] }],
    });
    await waitFor(async () => (await retentionOf()) === '7777', { what: 'the operator change to reach the broker' });
    const extra = { name: `${ctx.ns.topicPrefix}extra.v1`, partitions: 1, configs: {} };

    assert.deepEqual(await ensureTopics(admin, [...topicSpecs(ctx.ns.topics, 8), extra], 'off'), { created: [], updated: [] });
    assert.ok(!(await admin.listTopics()).includes(extra.name), 'off creates nothing');

    const created = await ensureTopics(admin, [...topicSpecs(ctx.ns.topics, 8), extra], 'create');
    assert.deepEqual(created, { created: [extra.name], updated: [] });
    assert.equal(await retentionOf(), '7777', 'create leaves an existing topic config alone');
    const metadata = await admin.fetchTopicMetadata({ topics: [transitions] });
    assert.equal(metadata.topics[0].partitions.length, 4, 'create does not add partitions either');
  });
});

/** The broker's config of each topic, name to value. */
async function describe_(admin: Admin, topics: string[]): Promise<Map<string, Map<string, string>>> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  return new Map(described.resources.map((resource) => [resource.resourceName, new Map(resource.configEntries.map((entry) => [entry.configName, entry.configValue]))]));
}
