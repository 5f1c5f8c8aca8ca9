import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { isPoisonMessage, isRetriable } from '../errors/errors';
import type { Logger } from '../logging/logger';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from '../retry/backoff';
import type { ConsumerHealth } from './consumer-health';
import { restartWhenKafkajsGivesUp } from './consumer-restart';
import type { DeadLetterPublisher } from './dead-letter-publisher';

/** A consumed message after decoding and validation. */
export interface ConsumedRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  /** The broker timestamp, epoch milliseconds. */
  timestamp: number;
  /** The raw message, for dead-lettering it later. */
  raw: KafkaMessage;
}

/** Decodes and validates one topic's bytes; pure, so anything it throws (unless marked retriable) is poison. */
export type TopicDecoder<T> = (bytes: Buffer | null) => T;

/**
 * Processes a chunk of records from one topic-partition, in order. It resolves only once every output
 * the chunk caused is durable (produced and acknowledged, or written to Redis). Any error is retried (the
 * partition pauses, backs off and handles the chunk again) unless it declares itself non-retriable
 * (ValidationError...), which sends the offending records to the dead-letter topic. Handlers must be
 * idempotent: a retried chunk may have been partly applied.
 */
export type ChunkHandler<T> = (records: ConsumedRecord<T>[]) => Promise<void>;

export interface BatchConsumerOptions<T> {
  consumer: Consumer;
  /** Topic name to its decoder. */
  decoders: Record<string, TopicDecoder<T>>;
  handle: ChunkHandler<T>;
  deadLetters: DeadLetterPublisher;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Most records handed to `handle` at once (the micro-batch). */
  maxChunk?: number;
  /**
   * Partitions handled at once (kafkajs `partitionsConsumedConcurrently`; default 1). Each partition's
   * chunks stay in order; with more than one, the round trips of different partitions overlap, so the
   * handler must not depend on the order between partitions.
   */
  partitionsConcurrently?: number;
  /** Read each topic from the beginning when the group has no committed offset (else from the end). */
  fromBeginning?: boolean;
  /** Marks partitions failing while they retry (readiness); optional for tests. */
  health?: ConsumerHealth;
  /** Backoff between retries of a chunk that failed transiently. */
  backoff?: BackoffPolicy;
  /** How often to heartbeat while a handler runs or a retry waits, so a long outage keeps group membership. */
  heartbeatEveryMs?: number;
}

/**
 * The consumer loop every service uses, over kafkajs `eachBatch`: decode and validate each message,
 * hand valid ones to `handle` in chunks, send invalid ones to `<topic>.dlq`, and resolve a message's
 * offset only after its outputs are durable. Offsets are committed from resolved offsets, so a crash
 * re-delivers whatever was not yet fully handled: at least once.
 *
 * A transient failure (see `isRetriable`) never reaches the dead-letter topic: the partition is paused,
 * marked failing (readiness, `transient_failures_total`, `retrying_partitions`), and the same chunk is
 * handled again after a jittered backoff, for as long as it takes, its offsets uncommitted. The loop
 * heartbeats while a handler runs and while it waits, so an outage longer than the session timeout
 * does not cost the group membership (and a rebalance that would redeliver everything in flight).
 */
export async function runBatchConsumer<T>(options: BatchConsumerOptions<T>): Promise<void> {
  const maxChunk = options.maxChunk ?? 256;
  const log = options.logger.child({ component: 'batch-consumer' });
  const runConfig = {
    eachBatchAutoResolve: false,
    autoCommit: true,
    autoCommitInterval: 1_000,
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
    eachBatch: (payload: EachBatchPayload) => processBatch(payload, options, maxChunk, log),
  };
  const subscribeAndRun = async () => {
    await options.consumer.connect();
    for (const topic of Object.keys(options.decoders)) {
      await options.consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
    }
    await options.consumer.run(runConfig);
  };
  // A crash kafkajs does not restart would leave the consumer dead: not ready until it runs again.
  restartWhenKafkajsGivesUp(options.consumer, subscribeAndRun, {
    logger: log,
    onCrash: (error) => {
      for (const topic of Object.keys(options.decoders)) options.health?.markFailing(topic, -1, error);
    },
  });
  // A new assignment (a rebalance, or kafkajs restarting a crashed consumer): partitions that failed before
  // are either this member's again (and marked again if they still fail) or another member's to report.
  options.consumer.on(options.consumer.events.GROUP_JOIN, () => {
    for (const topic of Object.keys(options.decoders)) options.health?.forgetTopic(topic);
  });
  await subscribeAndRun();
}

async function processBatch<T>(
  payload: EachBatchPayload,
  options: BatchConsumerOptions<T>,
  maxChunk: number,
  log: Logger,
): Promise<void> {
  const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
  const decode = options.decoders[batch.topic];
  if (decode === undefined) throw new Error(`no decoder for topic ${batch.topic}`);
  let chunk: ConsumedRecord<T>[] = [];
  let deadLettered: PoisonMessage[] = [];
  let lastOffset: string | null = null;
  const retry = new ChunkRetry(payload, options, log);

  /** Handles the chunk until it succeeds; false when the consumer stops or loses the partition first. */
  const settle = async (): Promise<boolean> => {
    if (lastOffset === null) return true;
    const stop = options.metrics.batchSeconds.startTimer({ topic: batch.topic });
    const work = () => Promise.all([handleChunk(chunk, options), ...deadLettered.map((source) => deadLetter(source, options))]);
    if (!(await retry.untilDone(work))) return false;
    stop();
    options.metrics.consumedMessages.inc({ topic: batch.topic }, chunk.length + deadLettered.length);
    resolveOffset(lastOffset);
    chunk = [];
    deadLettered = [];
    lastOffset = null;
    await heartbeat();
    await commitOffsetsIfNecessary();
    return true;
  };

  try {
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      try {
        chunk.push({
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString('utf8'),
          value: decode(message.value),
          timestamp: Number(message.timestamp),
          raw: message,
        });
      } catch (error) {
        if (!isPoisonMessage(error)) throw error;
        deadLettered.push({ source: sourceOf(batch.topic, batch.partition, message), error });
      }
      lastOffset = message.offset;
      if (chunk.length + deadLettered.length >= maxChunk && !(await settle())) return;
    }
    await settle();
  } finally {
    retry.finish();
  }
  // Which offsets each fetch held (trace only: a fault run's reconciliation can then say whether a lost
  // record was ever fetched).
  if (log.isLevelEnabled('trace')) {
    log.trace({ topic: batch.topic, partition: batch.partition, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset(), messages: batch.messages.length }, 'batch done');
  }
}

/**
 * Retries one chunk of a partition on transient failures: pause the partition, mark it failing, back off
 * with jitter while heartbeating, try again; resume and mark it healthy once the chunk succeeds.
 */
class ChunkRetry<T> {
  private resume: (() => void) | null = null;
  private attempt = 0;

  constructor(
    private readonly payload: EachBatchPayload,
    private readonly options: BatchConsumerOptions<T>,
    private readonly log: Logger,
  ) {}

  private get heartbeatEveryMs(): number {
    return this.options.heartbeatEveryMs ?? 1_000;
  }

  async untilDone(work: () => Promise<unknown>): Promise<boolean> {
    const { batch, isRunning, isStale } = this.payload;
    for (;;) {
      try {
        await this.heartbeating(work());
        if (this.attempt > 0) this.recovered();
        // Also healthy after a retry that an earlier batch gave up on (a rebalance, a stop): this chunk went through.
        else this.options.health?.markHealthy(batch.topic, batch.partition);
        return true;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        this.attempt += 1;
        this.failed(error);
        if (!isRunning() || isStale()) return false;
        const delayMs = backoffDelayMs(this.attempt, this.options.backoff ?? DEFAULT_BACKOFF);
        this.log.warn({ topic: batch.topic, partition: batch.partition, attempt: this.attempt, delayMs, err: error }, 'transient failure; partition paused, retrying the chunk');
        await this.waitHeartbeating(delayMs);
        if (!isRunning() || isStale()) return false;
      }
    }
  }

  /** Leaves the partition consumable again (also when the loop stops in the middle of a retry). */
  finish(): void {
    if (this.resume !== null) {
      this.resume();
      this.resume = null;
      this.options.metrics.retryingPartitions.dec();
    }
  }

  private failed(error: unknown): void {
    const { batch } = this.payload;
    this.options.metrics.transientFailures.inc({ topic: batch.topic, error: errorName(error) });
    this.options.health?.markFailing(batch.topic, batch.partition, error);
    if (this.resume === null) {
      this.resume = this.payload.pause();
      this.options.metrics.retryingPartitions.inc();
    }
  }

  private recovered(): void {
    const { batch } = this.payload;
    this.log.info({ topic: batch.topic, partition: batch.partition, attempts: this.attempt }, 'recovered from a transient failure');
    this.attempt = 0;
    this.options.health?.markHealthy(batch.topic, batch.partition);
    this.finish();
  }

  /** Awaits `work` while heartbeating, so a slow dependency does not make the group drop this member. */
  private async heartbeating<R>(work: Promise<R>): Promise<R> {
    const timer = setInterval(() => {
      // A failed heartbeat here (broker away, rebalance) is seen again by the heartbeat after the chunk.
      this.payload.heartbeat().catch(() => undefined);
    }, this.heartbeatEveryMs);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  /** Sleeps `ms` in heartbeat-sized steps; stops early when the consumer stops or the partition moves. */
  private async waitHeartbeating(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && this.payload.isRunning() && !this.payload.isStale()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.heartbeatEveryMs, until - Date.now())));
      await this.payload.heartbeat().catch((error: unknown) => {
        // A rebalance under way: stop retrying here and let kafkajs rejoin; the chunk is redelivered.
        if (isRebalance(error)) throw error;
      });
    }
  }
}

function isRebalance(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION';
}

/** A short, bounded label for an error (its class name, or its kafkajs type). */
function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error;
  const type = (error as { type?: unknown }).type;
  const name = typeof type === 'string' ? type : (error as { name?: unknown }).name;
  return typeof name === 'string' ? name.slice(0, 60) : 'unknown';
}

/**
 * Runs the handler on a chunk. A non-retriable failure is isolated by retrying record by record, so only
 * the records that fail on their own go to the dead-letter topic; a retriable one is thrown (retried).
 */
async function handleChunk<T>(chunk: ConsumedRecord<T>[], options: BatchConsumerOptions<T>): Promise<void> {
  if (chunk.length === 0) return;
  try {
    await options.handle(chunk);
  } catch (error) {
    if (isRetriable(error)) throw error;
    if (chunk.length === 1) {
      const [record] = chunk;
      await options.deadLetters.publish(sourceOf(record.topic, record.partition, record.raw), error);
      return;
    }
    for (const record of chunk) await handleChunk([record], options);
  }
}

/** A message that failed to decode, waiting to be dead-lettered with its chunk. */
interface PoisonMessage {
  source: ReturnType<typeof sourceOf>;
  error: unknown;
}

function deadLetter<T>(entry: PoisonMessage, options: BatchConsumerOptions<T>): Promise<void> {
  return options.deadLetters.publish(entry.source, entry.error);
}

function sourceOf(topic: string, partition: number, message: KafkaMessage) {
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers };
}
