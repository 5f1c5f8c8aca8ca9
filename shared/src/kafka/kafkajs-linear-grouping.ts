/**
 * kafkajs 2.2.4 (its last release) groups each send's messages by partition with
 * `Object.assign(result, { [partition]: [...current, message] })` per message: every message copies its
 * partition's array so far, so a send costs O(n²) in the messages per partition, and all those copies are
 * garbage. At 1,000 requests/s the joiner's transitions go out a few thousand per send, and the grouping
 * plus the collections it caused were about a quarter of the joiner's CPU time (the soak's profile).
 * The same fix is upstream as tulios/kafkajs pull request 1576 (open, never released: kafkajs has had no
 * release since 2.2.4); remove this module when the project moves to a kafkajs that has it.
 *
 * This module puts a linear version of that function (same result: an object from partition to its
 * messages in send order, the same partitioner called once per message, `{}` without metadata) in
 * Node's module cache under the path of kafkajs's own file, before kafkajs loads it: kafkajs's
 * sendMessages then requires this one. Every shared module that loads kafkajs imports this first. If
 * kafkajs was already loaded (something required it before @rec/shared), nothing changes but the speed.
 */
import { overrideKafkajsModule } from './kafkajs-module-override';

type Partitioner = (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;

/** kafkajs's groupMessagesPerPartition, in linear time. */
export function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: { topic: string; partitionMetadata: unknown[]; messages: unknown[]; partitioner: Partitioner }): Record<number, unknown[]> {
  const grouped: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return grouped;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (grouped[partition] ??= []).push(message);
  }
  return grouped;
}

/** Whether kafkajs uses the linear grouping (false: kafkajs had been loaded before this module). */
export const linearGroupingInstalled: boolean = overrideKafkajsModule('kafkajs/src/producer/groupMessagesPerPartition', 'kafkajs/src/producer/sendMessages', groupMessagesPerPartition);
