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

/** What `watchConsumerLag` returns: read the lag now, refresh the gauge now (tests), and stop. */
export interface ConsumerLagWatch {
  /** The group's lag per topic, read from the broker now. */
  read(): Promise<Map<string, number>>;
  /** Reads the lag and sets the gauge (what every scrape starts in the background). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `rec_consumer_lag_messages{group, topic}`: how many messages of `topic` the group has not committed yet
 * (log end offset minus committed offset, summed over partitions; a partition without a commit counts
 * from its first offset). It is read from the broker, not from the consumer's fetches, so a member that is
 * stuck or gone still shows a growing lag. A scrape reports the values last read and starts the next read
 * in the background (one at a time), so /metrics never waits on the broker: the figure is one scrape old.
 * Every member of the group reports the same value; aggregate with `max by (group, topic)`.
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

  const gauge = options.metrics.sharedGauge('consumer_lag_messages', "Messages of a topic the consumer group has not committed yet (log end - committed offset, summed over partitions)", ['group', 'topic'], () => {
    if (!stopped && refreshing === null) void refresh();
  });
  let refreshing: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        for (const [topic, messages] of await read()) gauge.set({ group: options.groupId, topic }, messages);
      } catch (error) {
        // During a broker outage the last values stay.
        log.warn({ err: error, group: options.groupId }, 'could not read consumer lag');
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };
  void refresh();

  return {
    read,
    refresh,
    stop: async () => {
      stopped = true;
      await refreshing;
      const client = admin ?? (connecting === null ? null : await connecting.catch(() => null));
      admin = null;
      await client?.disconnect();
    },
  };
}
