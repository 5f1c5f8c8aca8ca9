import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from '@rec/shared';

/** A message read by readTopic, with where it sits. */
export interface ReadMessage {
  partition: number;
  offset: string;
  message: KafkaMessage;
}

/**
 * Every message of `topic` from `from` (per partition; default its start) up to the end it had when the
 * call began, in partition then offset order. Reads through a throwaway consumer group, deleted after.
 */
export async function readTopic(kafka: Kafka, topic: string, options: { groupPrefix: string; from?: ReadonlyMap<number, number> }): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${options.groupPrefix}rec-cli-${randomUUID()}`;
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const wanted = new Map<number, { from: number; end: number }>();
    for (const { partition, high, low } of ends) {
      const from = Math.max(options.from?.get(partition) ?? Number(low), Number(low));
      if (Number(high) > from) wanted.set(partition, { from, end: Number(high) });
    }
    if (wanted.size === 0) return [];
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const read: ReadMessage[] = [];
    const remaining = new Set(wanted.keys());
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const done = new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const range = wanted.get(partition);
              if (range === undefined) return;
              const offset = Number(message.offset);
              if (offset >= range.from && offset < range.end) read.push({ partition, offset: message.offset, message });
              if (offset >= range.end - 1) {
                remaining.delete(partition);
                if (remaining.size === 0) resolve();
              }
            },
          })
          .catch(reject);
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, { from }] of wanted) consumer.seek({ topic, partition, offset: String(from) });
      });
      await done;
    } finally {
      await consumer.disconnect();
    }
    return read.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
