import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../logging/logger';
import type { ServiceMetrics } from '../metrics/service-metrics';

export interface ConsumerLagOptions {
  kafka: Kafka;
  metrics: ServiceMetrics;
  logger: Logger;
  /** The consumer group whose lag this process reports. */
  groupId: string;
  /** The topics the group reads. */
  topics: readonly string[];
}

/**
 * A consumer group's lag per topic: log end offset minus committed offset, summed over partitions (a
 * partition without a commit counts from its first offset).
 */
export async function readGroupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<Map<string, number>> {
  const lag = new Map<string, number>();
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const commits = new Map((committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)]));
    let total = 0;
    for (const end of ends) {
      const commit = commits.get(end.partition) ?? -1;
      total += Math.max(0, Number(end.high) - (commit >= 0 ? commit : Number(end.low)));
    }
    lag.set(topic, total);
  }
  return lag;
}

/** What `watchConsumerLag` returns: read the lag now (tests), and stop (closes the admin client). */
export interface ConsumerLagWatch {
  /** The group's lag per topic, as the next scrape would report it. */
  read(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/**
 * `rec_consumer_lag_messages{group, topic}`: how many messages of `topic` the group has not committed yet
 * (log end offset minus committed offset, summed over partitions; a partition without a commit counts
 * from its first offset). It is read from the broker at scrape time, not from the consumer's fetches, so a
 * member that is stuck or gone still shows a growing lag. Every member of the group reports the same
 * value; aggregate with `max by (group, topic)`.
 */
export function watchConsumerLag(options: ConsumerLagOptions): ConsumerLagWatch {
  const log = options.logger.child({ component: 'consumer-lag' });
  let admin: Admin | null = null;
  let connecting: Promise<Admin> | null = null;
  let stopped = false;

  const connected = (): Promise<Admin> => {
    if (admin !== null) return Promise.resolve(admin);
    connecting ??= (async () => {
      const client = options.kafka.admin();
      await client.connect();
      admin = client;
      return client;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  const read = async (): Promise<Map<string, number>> => readGroupLag(await connected(), options.groupId, options.topics);

  options.metrics.sharedGauge('consumer_lag_messages', "Messages of a topic the consumer group has not committed yet (log end - committed offset, summed over partitions)", ['group', 'topic'], async (gauge) => {
    if (stopped) return;
    try {
      for (const [topic, messages] of await read()) gauge.set({ group: options.groupId, topic }, messages);
    } catch (error) {
      // A scrape during a broker outage keeps the last values rather than failing /metrics.
      log.warn({ err: error, group: options.groupId }, 'could not read consumer lag');
    }
  });

  return {
    read,
    stop: async () => {
      stopped = true;
      const client = admin ?? (connecting === null ? null : await connecting.catch(() => null));
      admin = null;
      await client?.disconnect();
    },
  };
}
