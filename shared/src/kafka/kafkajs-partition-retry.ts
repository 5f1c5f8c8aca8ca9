/**
 * kafkajs 2.2.4 (its last release) can acknowledge a send whose messages were never written. Its
 * sendMessages retries a failed produce only to the brokers that have not answered yet in that send
 * (`responsePerBroker`, keyed by broker). When a broker dies while it leads one of the send's partitions,
 * the retry refreshes metadata and regroups that partition under its new leader; if the new leader is a
 * broker that already answered for its own partitions in the same send, the retry skips it as answered,
 * and the send resolves with the moved partition's messages never produced. Found by the fault suite
 * (`kill -9 one of three brokers`, two runs of four on 2026-12-02): the joiner's sweep sent 35
 * transitions to two partitions on two brokers, the send resolved after the failover, and the 15 of the
 * partition that moved were on no replica (the sweep had marked their requests emitted: lost); in another
 * run one action was lost the same way. tulios/kafkajs pull request 1798 (open) reports the same family
 * of bugs.
 *
 * This is kafkajs's sendMessages with one change: acknowledgements are kept per partition, not per broker.
 * Every attempt sends each partition not yet acknowledged to its current leader, whichever brokers answered
 * before; an acknowledged partition is never sent again (the idempotent producer's sequence for it has
 * moved on, so a resend would be a real duplicate); and an attempt waits for all its requests to settle
 * before the next one regroups, so a partition is never in flight twice. Everything else (metadata
 * handling, sequences and their rollback on a failed request, the broker lock, transactions, the retry
 * decisions) is kafkajs's own code path. It is installed like kafkajs-linear-grouping: in Node's module cache under the
 * path of kafkajs's own file, before kafkajs loads it; remove it when the project moves to a kafkajs that
 * tracks acknowledgements per partition.
 */
// First: the replacement below requires kafkajs's grouping, which must be the linear one by then.
import './kafkajs-linear-grouping';
import { overrideKafkajsModule } from './kafkajs-module-override';

/* eslint-disable @typescript-eslint/no-explicit-any -- kafkajs's internal objects are untyped */
type Internal = any;

const kafkajsErrors: Internal = require('kafkajs/src/errors');
const { staleMetadata }: Internal = require('kafkajs/src/protocol/error');
const createTopicData: Internal = require('kafkajs/src/producer/createTopicData');
const responseSerializer: Internal = require('kafkajs/src/producer/responseSerializer');

/** kafkajs's producer/sendMessages factory, acknowledging per partition. */
export function createSendMessages({ logger, cluster, partitioner, eosManager, retrier }: Internal) {
  // Required here, not at the top: the linear grouping (installed by the shared modules) must be what it gets.
  const groupMessagesPerPartition: Internal = require('kafkajs/src/producer/groupMessagesPerPartition');
  return async ({ acks, timeout, compression, topicMessages }: Internal) => {
    /** `${topic}\u0000${partition}` of every partition a broker acknowledged in this send. */
    const acknowledged = new Set<string>();
    const responses: unknown[] = [];
    const keyOf = (topic: string, partition: number | string) => `${topic}\u0000${partition}`;

    /** One request per current leader, carrying only the partitions not acknowledged yet. */
    const createProducerRequests = async (): Promise<Promise<void>[]> => {
      await cluster.refreshMetadataIfNecessary();
      const perLeader = new Map<string, { topic: string; partitions: string[]; messagesPerPartition: Internal }[]>();
      for (const { topic, messages } of topicMessages) {
        const partitionMetadata = cluster.findTopicPartitionMetadata(topic);
        if (partitionMetadata.length === 0) {
          logger.debug('Producing to topic without metadata', { topic, targetTopics: Array.from(cluster.targetTopics) });
          throw new kafkajsErrors.KafkaJSMetadataNotLoaded('Producing to topic without metadata');
        }
        const messagesPerPartition = groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner });
        const pending = Object.keys(messagesPerPartition).filter((partition) => !acknowledged.has(keyOf(topic, partition)));
        if (pending.length === 0) continue;
        const partitionsPerLeader: Record<string, string[]> = cluster.findLeaderForPartitions(topic, pending);
        for (const [nodeId, partitions] of Object.entries(partitionsPerLeader)) {
          const forLeader = perLeader.get(nodeId) ?? [];
          forLeader.push({ topic, partitions, messagesPerPartition });
          perLeader.set(nodeId, forLeader);
        }
      }
      return [...perLeader].map(async ([nodeId, topicDataForBroker]) => {
        const broker = await cluster.findBroker({ nodeId });
        const topicData = createTopicData(topicDataForBroker);
        await eosManager.acquireBrokerLock(broker);
        try {
          if (eosManager.isTransactional()) await eosManager.addPartitionsToTransaction(topicData);
          for (const { topic, partitions } of topicData) {
            for (const entry of partitions) {
              entry.firstSequence = eosManager.getSequence(topic, entry.partition);
              eosManager.updateSequence(topic, entry.partition, entry.messages.length);
            }
          }
          let response;
          try {
            response = await broker.produce({
              transactionalId: eosManager.isTransactional() ? eosManager.getTransactionalId() : undefined,
              producerId: eosManager.getProducerId(),
              producerEpoch: eosManager.getProducerEpoch(),
              acks,
              timeout,
              compression,
              topicData,
            });
          } catch (error) {
            for (const { topic, partitions } of topicData) for (const entry of partitions) eosManager.updateSequence(topic, entry.partition, -entry.messages.length);
            throw error;
          }
          for (const { topic, partitions } of topicData) for (const entry of partitions) acknowledged.add(keyOf(topic, entry.partition));
          if (acks !== 0) responses.push(...responseSerializer(response));
        } finally {
          await eosManager.releaseBrokerLock(broker);
        }
      });
    };

    return retrier(async (bail: (error: unknown) => void, retryCount: number, retryTime: number) => {
      await cluster.addMultipleTargetTopics(topicMessages.map(({ topic }: { topic: string }) => topic));
      try {
        // Every request settles before a retry starts, so none is still in flight when the next attempt
        // regroups (kafkajs's Promise.all does not wait for the others once one fails).
        const outcomes = await Promise.allSettled(await createProducerRequests());
        const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
        return responses;
      } catch (e: Internal) {
        if (e.name === 'KafkaJSConnectionClosedError') cluster.removeBroker({ host: e.host, port: e.port });
        if (!cluster.isConnected()) {
          logger.debug(`Cluster has disconnected, reconnecting: ${e.message}`, { retryCount, retryTime });
          await cluster.connect();
          await cluster.refreshMetadata();
          throw e;
        }
        // Stale metadata (e.g. more partitions than we knew of, or a leader that moved).
        if (staleMetadata(e) || e.name === 'KafkaJSMetadataNotLoaded' || e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError' || (e.name === 'KafkaJSProtocolError' && e.retriable)) {
          logger.error(`Failed to send messages: ${e.message}`, { retryCount, retryTime });
          await cluster.refreshMetadata();
          throw e;
        }
        logger.error(`${e.message}`, { retryCount, retryTime });
        if (e.retriable) throw e;
        bail(e);
      }
    });
  };
}

/** Whether kafkajs sends through createSendMessages (false: kafkajs had been loaded before this module). */
export const partitionRetryInstalled: boolean = overrideKafkajsModule('kafkajs/src/producer/sendMessages', 'kafkajs/src/producer/messageProducer', createSendMessages);
