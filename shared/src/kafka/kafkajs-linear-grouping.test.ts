import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { groupMessagesPerPartition, linearGroupingInstalled } from './kafkajs-linear-grouping';

describe('kafkajs linear grouping', () => {
  const messages = Array.from({ length: 50 }, (_, index) => ({ key: `user-${index % 7}`, value: Buffer.from(String(index)) }));
  const partitioner = ({ message }: { message: unknown }) => Number((message as { key: string }).key.slice(5)) % 3;

  it('groups exactly as kafkajs does: same partitions, messages in send order', () => {
    // kafkajs's own implementation, read from its file (the module cache now holds the linear one).
    const source = fs.readFileSync(require.resolve('kafkajs/src/producer/groupMessagesPerPartition'), 'utf8');
    const original = new Function('module', `${source}; return module.exports;`)({ exports: {} }) as typeof groupMessagesPerPartition;
    const args = { topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner };
    assert.deepEqual(groupMessagesPerPartition(args), original(args));
    assert.deepEqual(groupMessagesPerPartition({ ...args, partitionMetadata: [] }), original({ ...args, partitionMetadata: [] }));
  });

  it('is what kafkajs loads once @rec/shared is loaded first', () => {
    assert.equal(linearGroupingInstalled, true);
    assert.equal(require('kafkajs/src/producer/groupMessagesPerPartition'), groupMessagesPerPartition);
    // kafkajs itself loads and produces through it (its sendMessages requires the cached module).
    assert.equal(typeof (require('kafkajs') as { Kafka: unknown }).Kafka, 'function');
  });
});
