import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A service's Prometheus registry with the metrics every service shares, named
 * `rec_<service>_<what>_<unit>`. Services add their own metrics to `registry`.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly prefix: string;
  readonly consumedMessages: Counter<'topic'>;
  readonly producedMessages: Counter<'topic'>;
  readonly deadLetters: Counter<'topic' | 'reason'>;
  readonly batchSeconds: Histogram<'topic'>;

  constructor(readonly service: string) {
    this.prefix = `rec_${service.replace(/-/g, '_')}_`;
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.consumedMessages = this.counter('consumed_messages_total', 'Messages consumed, by topic', ['topic']);
    this.producedMessages = this.counter('produced_messages_total', 'Messages acknowledged by the broker, by topic', ['topic']);
    this.deadLetters = this.counter('dlq_messages_total', 'Messages sent to a dead-letter topic, by source topic and reason', ['topic', 'reason']);
    this.batchSeconds = this.histogram('batch_duration_seconds', 'Time to process one consumed chunk, outputs acknowledged', ['topic'], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name: this.prefix + name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return new Histogram({ name: this.prefix + name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge; `collect` (optional) refreshes it at scrape time. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (gauge: Gauge<L>) => void): Gauge<L> {
    const gauge: Gauge<L> = new Gauge<L>({
      name: this.prefix + name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect ? { collect: () => collect(gauge) } : {}),
    });
    return gauge;
  }
}
