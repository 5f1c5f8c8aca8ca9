import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A service's Prometheus registry. Every series carries a `service` label. What several services have is
 * one name without the service (`rec_consumed_messages_total{service="actor"}`), so one query spans
 * services: the `shared*` methods. What only one role has carries the role (`rec_actor_decisions_total`):
 * `counter`, `gauge`, `histogram`.
 */
/** Metric names several services share start with this alone. */
const SHARED_PREFIX = 'rec_';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly prefix: string;
  readonly consumedMessages: Counter<'topic'>;
  readonly producedMessages: Counter<'topic'>;
  readonly deadLetters: Counter<'topic' | 'reason'>;
  readonly batchSeconds: Histogram<'topic'>;
  readonly transientFailures: Counter<'topic' | 'error'>;
  readonly retryingPartitions: Gauge;
  /** The version of the weights this process serves or trains on (actor, learner, parameter server). */
  private modelVersionGauge: Gauge | null = null;

  constructor(readonly service: string) {
    this.prefix = `rec_${service.replace(/-/g, '_')}_`;
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.consumedMessages = this.sharedCounter('consumed_messages_total', 'Messages consumed, by topic', ['topic']);
    this.producedMessages = this.sharedCounter('produced_messages_total', 'Messages acknowledged by the broker, by topic', ['topic']);
    this.deadLetters = this.sharedCounter('dlq_messages_total', 'Messages sent to a dead-letter topic, by source topic and reason', ['topic', 'reason']);
    this.transientFailures = this.sharedCounter('transient_failures_total', 'Chunk handlings that failed on a transient error (Redis, broker, timeout) and will be retried, by topic and error name; never dead-lettered', ['topic', 'error']);
    this.retryingPartitions = this.sharedGauge('retrying_partitions', 'Partitions paused on a transient failure right now, backing off before a retry');
    this.batchSeconds = this.sharedHistogram('batch_duration_seconds', 'Time to process one consumed chunk, outputs acknowledged', ['topic'], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  }

  /** A counter only this role has: rec_<service>_<name>. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name: this.prefix + name, help, labelNames, registers: [this.registry] });
  }

  /** A histogram only this role has: rec_<service>_<name>. */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return new Histogram({ name: this.prefix + name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge only this role has: rec_<service>_<name>; `collect` (optional) refreshes it at scrape time. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    return this.makeGauge(this.prefix + name, help, labelNames, collect);
  }

  /** A counter several services have: rec_<name>, told apart by the `service` label. */
  sharedCounter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name: SHARED_PREFIX + name, help, labelNames, registers: [this.registry] });
  }

  /** A histogram several services have: rec_<name>. */
  sharedHistogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return new Histogram({ name: SHARED_PREFIX + name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge several services have: rec_<name>; `collect` (optional) refreshes it at scrape time. */
  sharedGauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    return this.makeGauge(SHARED_PREFIX + name, help, labelNames, collect);
  }

  /** rec_model_version: the weights version this process serves (actor), trains on (learner) or owns (parameter server). */
  get modelVersion(): Gauge {
    this.modelVersionGauge ??= this.sharedGauge('model_version', 'Version of the weights this process serves, trains on or owns');
    return this.modelVersionGauge;
  }

  /** rec_tensor_backend_info{backend}: the tensor backend in use, always 1. */
  recordTensorBackend(backend: string): void {
    this.sharedGauge('tensor_backend_info', 'The tensor backend in use (label), always 1', ['backend']).set({ backend }, 1);
  }

  private makeGauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect ? { collect: () => collect(gauge) } : {}),
    });
    return gauge;
  }
}
