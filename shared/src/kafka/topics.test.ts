import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TOPIC_NAMES, MODEL_MESSAGE_MAX_BYTES, dlqTopic, topicNames, topicSpecs } from './topics';

describe('topic list', () => {
  const names = topicNames();
  const specs = topicSpecs(names);
  const byName = new Map(specs.map((spec) => [spec.name, spec]));

  it('uses the contract names by default', () => {
    assert.equal(names.requests, 'rec.requests.v1');
    assert.equal(names.actions, 'rec.actions.v1');
    assert.equal(names.feedback, 'rec.feedback.v1');
    assert.equal(names.catalog, 'rec.catalog.v1');
    assert.equal(names.modelWeights, 'model.weights.v1');
  });

  it('prefixes every name, so tests never share topics', () => {
    const prefixed = topicNames('t-abc.');
    for (const key of Object.keys(DEFAULT_TOPIC_NAMES) as (keyof typeof DEFAULT_TOPIC_NAMES)[]) {
      assert.equal(prefixed[key], `t-abc.${DEFAULT_TOPIC_NAMES[key]}`);
    }
    for (const spec of topicSpecs(prefixed)) assert.ok(spec.name.startsWith('t-abc.'), spec.name);
  });

  it('declares each topic once, and a .dlq for every topic', () => {
    assert.equal(byName.size, specs.length, 'duplicate topic names');
    const primary = Object.values(names);
    for (const name of primary) {
      assert.ok(byName.has(name), `missing ${name}`);
      assert.ok(byName.has(dlqTopic(name)), `missing ${dlqTopic(name)}`);
    }
    assert.equal(specs.length, primary.length * 2);
    assert.equal(dlqTopic('x'), 'x.dlq');
  });

  it('compacts the catalog and the weights, and only them', () => {
    const compacted = specs.filter((spec) => spec.configs['cleanup.policy'] === 'compact').map((spec) => spec.name);
    assert.deepEqual(compacted.sort(), [names.catalog, names.modelWeights].sort());
    for (const spec of specs) {
      if (!compacted.includes(spec.name)) assert.ok(Number(spec.configs['retention.ms']) > 0, `${spec.name} has no retention`);
    }
  });

  it('raises max.message.bytes for weights and updates, within the broker limit of 16 MiB', () => {
    for (const name of [names.modelWeights, names.modelUpdates]) {
      assert.equal(byName.get(name)?.configs['max.message.bytes'], String(MODEL_MESSAGE_MAX_BYTES));
    }
    assert.ok(MODEL_MESSAGE_MAX_BYTES > 1_048_588, 'above the Kafka default');
    assert.ok(MODEL_MESSAGE_MAX_BYTES <= 16 * 1024 * 1024, 'infra/kafka/server.properties sets message.max.bytes=16777216');
  });

  it('co-partitions the user-keyed event topics and gives model topics one partition', () => {
    const partitions = [names.requests, names.actions, names.feedback, names.transitions].map((name) => byName.get(name)?.partitions);
    assert.ok(partitions.every((count) => count === partitions[0] && count !== undefined && count > 0), `${partitions}`);
    assert.equal(topicSpecs(names, 7).find((spec) => spec.name === names.feedback)?.partitions, 7);
    assert.equal(byName.get(names.modelUpdates)?.partitions, 1);
    assert.equal(byName.get(names.modelWeights)?.partitions, 1);
  });
});
