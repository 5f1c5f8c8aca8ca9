/**
 * Every topic the system uses, in one place: names (with an optional prefix, so tests never share data),
 * partitions, retention and compaction. `ensureTopics` applies this list idempotently.
 */

export interface TopicNames {
  requests: string;
  actions: string;
  feedback: string;
  catalog: string;
  transitions: string;
  modelUpdates: string;
  modelWeights: string;
}

export const DEFAULT_TOPIC_NAMES: TopicNames = {
  requests: 'rec.requests.v1',
  actions: 'rec.actions.v1',
  feedback: 'rec.feedback.v1',
  catalog: 'rec.catalog.v1',
  transitions: 'rec.transitions.v1',
  modelUpdates: 'model.updates.v1',
  modelWeights: 'model.weights.v1',
};

/** The dead-letter topic of a topic. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function topicNames(prefix = ''): TopicNames {
  const names = { ...DEFAULT_TOPIC_NAMES };
  for (const key of Object.keys(names) as (keyof TopicNames)[]) names[key] = `${prefix}${names[key]}`;
  return names;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic-level configs (strings, as Kafka takes them). */
  configs: Record<string, string>;
}

const HOUR_MS = 3_600_000;
/** Large enough for a full weights payload or one gradient of the default model, with room to grow. */
export const MODEL_MESSAGE_MAX_BYTES = 16 * 1024 * 1024;

function retained(hours: number): Record<string, string> {
  return { 'cleanup.policy': 'delete', 'retention.ms': String(hours * HOUR_MS) };
}

const COMPACTED = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0', 'segment.ms': String(HOUR_MS) };

/**
 * The topic list. Events are keyed by userId and co-partitioned (same partition count), so one user's
 * requests, actions and feedback meet in one joiner. Model topics have one partition: one writer per model.
 */
export function topicSpecs(names: TopicNames, eventPartitions = 4): TopicSpec[] {
  const events: TopicSpec[] = [
    { name: names.requests, partitions: eventPartitions, configs: retained(24) },
    { name: names.actions, partitions: eventPartitions, configs: retained(24) },
    { name: names.feedback, partitions: eventPartitions, configs: retained(24) },
    { name: names.catalog, partitions: eventPartitions, configs: COMPACTED },
    { name: names.transitions, partitions: eventPartitions, configs: retained(24) },
  ];
  const model: TopicSpec[] = [
    {
      name: names.modelUpdates,
      partitions: 1,
      configs: { ...retained(1), 'max.message.bytes': String(MODEL_MESSAGE_MAX_BYTES) },
    },
    {
      name: names.modelWeights,
      partitions: 1,
      configs: { ...COMPACTED, 'max.message.bytes': String(MODEL_MESSAGE_MAX_BYTES) },
    },
  ];
  const deadLetters: TopicSpec[] = [...events, ...model].map((topic) => ({
    name: dlqTopic(topic.name),
    partitions: 1,
    configs: { ...retained(24 * 7), 'max.message.bytes': String(MODEL_MESSAGE_MAX_BYTES) },
  }));
  return [...events, ...model, ...deadLetters];
}
