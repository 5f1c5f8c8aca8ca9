import { randomUUID } from 'node:crypto';
import {
  codecs,
  type CatalogItem,
  type Logger,
  type RecommendationAction,
  type RecommendationRequest,
  type TopicNames,
  type Transition,
  type UserFeedback,
} from '@rec/shared';
import type { Kafka, KafkaMessage } from '@rec/shared';

/** Everything a run logged on the contract topics (the catalog: its latest value per item). */
export interface LoggedRun {
  requests: RecommendationRequest[];
  actions: RecommendationAction[];
  feedback: UserFeedback[];
  catalog: CatalogItem[];
  /** The joiner's transitions (rec.transitions.v1), when asked for: the states and rewards a model is evaluated on. */
  transitions: Transition[];
  /** Messages that did not decode (skipped). */
  undecodable: number;
}

/**
 * Reads rec.requests.v1, rec.actions.v1, rec.feedback.v1 and rec.catalog.v1 (and, with `transitions`,
 * rec.transitions.v1 instead of the feedback) from the beginning up to the end offsets they had when the
 * read started, under a throwaway consumer group that commits nothing.
 */
export async function readLoggedRun(
  kafka: Kafka,
  topics: TopicNames,
  logger: Logger,
  options: { timeoutMs?: number; transitions?: boolean } = {},
): Promise<LoggedRun> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const run: LoggedRun = { requests: [], actions: [], feedback: [], catalog: [], transitions: [], undecodable: 0 };
  const catalog = new Map<string, CatalogItem>();
  const handlers: Record<string, (message: KafkaMessage) => void> = {
    [topics.requests]: (message) => run.requests.push(codecs.request.decode(message.value)),
    [topics.actions]: (message) => run.actions.push(codecs.action.decode(message.value)),
    ...(options.transitions
      ? { [topics.transitions]: (message: KafkaMessage) => void run.transitions.push(codecs.transition.decode(message.value)) }
      : { [topics.feedback]: (message: KafkaMessage) => void run.feedback.push(codecs.feedback.decode(message.value)) }),
    [topics.catalog]: (message) => {
      const key = message.key?.toString('utf8') ?? '';
      if (message.value === null) catalog.delete(key);
      else catalog.set(key, codecs.catalogItem.decode(message.value));
    },
  };

  const admin = kafka.admin();
  await admin.connect();
  /** "topic/partition" -> the last offset to read. */
  const remaining = new Map<string, bigint>();
  for (const topic of Object.keys(handlers)) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high) - 1n);
    }
  }
  await admin.disconnect();
  if (remaining.size === 0) return { ...run, catalog: [] };

  const consumer = kafka.consumer({ groupId: `simulator-ope-${randomUUID()}`, maxBytesPerPartition: 16 * 1024 * 1024 });
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  await consumer.connect();
  for (const topic of Object.keys(handlers)) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const key = `${batch.topic}/${batch.partition}`;
      const last = remaining.get(key);
      for (const message of batch.messages) {
        if (last === undefined || BigInt(message.offset) > last) break;
        try {
          handlers[batch.topic](message);
        } catch {
          run.undecodable += 1;
        }
        if (BigInt(message.offset) >= last) remaining.delete(key);
      }
      await heartbeat();
      if (remaining.size === 0) finish();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([done.then(() => 'done' as const), timedOut]);
  clearTimeout(timer);
  await consumer.disconnect();
  if (result === 'timeout') logger.warn({ unfinished: [...remaining.keys()] }, 'log read timed out; using what was read');
  return { ...run, catalog: [...catalog.values()] };
}
