import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module from 'node:module';
import { describe, it } from 'node:test';
import './kafkajs-linear-grouping';
import { createSendMessages, partitionRetryInstalled } from './kafkajs-partition-retry';

/* eslint-disable @typescript-eslint/no-explicit-any -- kafkajs's internal objects are untyped */
const { KafkaJSConnectionError } = require('kafkajs/src/errors');
const createRetry = require('kafkajs/src/retry');

interface Produced {
  nodeId: number;
  partitions: number[];
}

/**
 * The failover a killed broker causes, as kafkajs's sendMessages sees it: partition 0 led by node 1,
 * partition 1 by node 2; node 2 refuses the connection, and the metadata refreshed after that failure
 * names node 1 the leader of partition 1. A unit test over kafkajs's internal collaborators: the fault
 * suite's `kill -9 one of three brokers` is the same failure on a real cluster, but it loses a record in
 * only some runs (when a send spans the kill).
 */
function failover() {
  const leaders: Record<number, number> = { 0: 1, 1: 2 };
  const produced: Produced[] = [];
  const sequences = new Map<string, number>();
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async ({ topicData }: any) => {
      if (nodeId === 2) throw new KafkaJSConnectionError('connect ECONNREFUSED', { broker: 'node-2' });
      const partitions = topicData.flatMap(({ partitions }: any) => partitions.map((entry: any) => entry.partition));
      produced.push({ nodeId, partitions: partitions.map(Number) });
      return { topics: topicData.map(({ topic, partitions }: any) => ({ topicName: topic, partitions: partitions.map((entry: any) => ({ partition: entry.partition, errorCode: 0, baseOffset: '0' })) })) };
    },
  });
  const brokers: Record<number, ReturnType<typeof broker>> = { 1: broker(1), 2: broker(2) };
  const cluster = {
    targetTopics: new Set<string>(),
    addMultipleTargetTopics: async () => undefined,
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => {
      leaders[1] = 1;
    },
    isConnected: () => true,
    connect: async () => undefined,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => [0, 1].map((partitionId) => ({ partitionId, leader: leaders[partitionId] })),
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const perLeader: Record<string, number[]> = {};
      for (const partition of partitions) (perLeader[leaders[Number(partition)]] ??= []).push(Number(partition));
      return perLeader;
    },
    findBroker: async ({ nodeId }: { nodeId: string | number }) => brokers[Number(nodeId)],
  };
  const eosManager = {
    isTransactional: () => false,
    acquireBrokerLock: async () => undefined,
    releaseBrokerLock: async () => undefined,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getSequence: (topic: string, partition: number) => sequences.get(`${topic}/${partition}`) ?? 0,
    updateSequence: (topic: string, partition: number, increment: number) => sequences.set(`${topic}/${partition}`, (sequences.get(`${topic}/${partition}`) ?? 0) + increment),
  };
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const collaborators = {
    logger: silent,
    cluster,
    eosManager,
    partitioner: ({ message }: { message: { key: string } }) => Number(message.key),
    retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
  };
  const send = {
    acks: -1,
    timeout: 1_000,
    compression: 0,
    topicMessages: [{ topic: 't', messages: [{ key: '0', value: 'a' }, { key: '1', value: 'b' }, { key: '1', value: 'c' }] }],
  };
  return { produced, sequences, collaborators, send };
}

/** kafkajs's own sendMessages, loaded from its file (the module cache holds the replacement). */
function kafkajsSendMessages(): typeof createSendMessages {
  const file = require.resolve('kafkajs/src/producer/sendMessages');
  const source = fs.readFileSync(file, 'utf8');
  const module = { exports: {} as unknown };
  new Function('require', 'module', 'exports', source)(Module.createRequire(file), module, module.exports);
  return module.exports as typeof createSendMessages;
}

describe('kafkajs sends acknowledged per partition', () => {
  it('sends a partition whose leader moved onto a broker that already answered, and nothing twice', async () => {
    const { produced, sequences, collaborators, send } = failover();
    const responses = (await createSendMessages(collaborators)(send)) as { partition: number }[];
    assert.deepEqual(produced, [
      { nodeId: 1, partitions: [0] },
      { nodeId: 1, partitions: [1] },
    ]);
    assert.deepEqual(responses.map(({ partition }) => partition).sort(), [0, 1]);
    // Each partition's sequence moved by its own messages once: the failed request's was rolled back.
    assert.equal(sequences.get('t/0'), 1);
    assert.equal(sequences.get('t/1'), 2);
  });

  it("is needed: kafkajs's own sendMessages resolves the same send without ever writing partition 1", async () => {
    const { produced, collaborators, send } = failover();
    await kafkajsSendMessages()(collaborators)(send);
    assert.deepEqual(produced, [{ nodeId: 1, partitions: [0] }]);
  });

  it('is what kafkajs loads once @rec/shared is loaded first', () => {
    assert.equal(partitionRetryInstalled, true);
    assert.equal(require('kafkajs/src/producer/sendMessages'), createSendMessages);
    assert.equal(typeof (require('kafkajs') as { Kafka: unknown }).Kafka, 'function');
  });
});
