import { codecs } from '../avro/codecs';
import { RecError } from '../errors/errors';
import type { ModelWeights, WeightsRole } from '../events/internal';
import { CompactedTopicReader } from '../kafka/compacted-topic-reader';
import type { ServiceRuntime } from '../runtime/service-runtime';
import { verifiedWeights, weightsKey } from './weights-payload';

export interface ReceivedWeights {
  role: WeightsRole;
  version: number;
  values: Float32Array;
  newestSampleTimestamp: number | null;
  publishedAt: number;
  /** Per learnerId, the newest update sequence this version has processed (ONLINE; empty from older servers). */
  learnerProgress: Readonly<Record<string, number>>;
}

/**
 * Follows one model's weights on the compacted model.weights.v1 topic: verifies each payload (layout,
 * checksum, finite values), ignores versions older than the one held, and hands good ones to `onWeights`
 * (which swaps them in synchronously, so serving never sees half a model). Rejections are counted.
 */
export class WeightsSubscriber {
  private readonly reader: CompactedTopicReader<ModelWeights>;
  private readonly versions = new Map<WeightsRole, number>();
  private readonly rejected;
  private readonly lag;

  constructor(
    runtime: ServiceRuntime,
    options: { layoutHash: string; roles: WeightsRole[]; onWeights: (weights: ReceivedWeights) => void },
  ) {
    const { modelId } = runtime.config;
    const wanted = new Set(options.roles.map((role) => weightsKey(modelId, role)));
    this.rejected = runtime.metrics.sharedCounter('weights_rejected_total', 'Weights payloads rejected (bad layout, checksum, NaN/Inf)', ['reason']);
    this.lag = runtime.metrics.sharedHistogram('weights_broadcast_lag_seconds', 'From the parameter server publishing weights to this process adopting them', [], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
    this.reader = new CompactedTopicReader<ModelWeights>(runtime.kafka, {
      topic: runtime.topics.modelWeights,
      decode: (bytes) => codecs.modelWeights.decode(bytes),
      deadLetters: runtime.deadLetters,
      metrics: runtime.metrics,
      logger: runtime.logger,
      groupPrefix: `${runtime.config.topicPrefix}${runtime.name}-weights`,
      onRecord: (key, record) => {
        if (record === null || !wanted.has(key)) return;
        if (record.version < (this.versions.get(record.role) ?? -1)) return;
        let values: Float32Array;
        try {
          values = verifiedWeights(record, options.layoutHash);
        } catch (error) {
          const reason = error instanceof RecError ? error.reason : 'invalid';
          this.rejected.inc({ reason });
          runtime.logger.warn({ version: record.version, role: record.role, reason }, 'weights rejected');
          return;
        }
        this.versions.set(record.role, record.version);
        options.onWeights({ role: record.role, version: record.version, values, newestSampleTimestamp: record.newestSampleTimestamp, publishedAt: record.publishedAt, learnerProgress: record.learnerProgress ?? {} });
        if (this.reader.ready) this.lag.observe(Math.max(0, Date.now() - record.publishedAt) / 1000);
      },
    });
  }

  /** The newest version adopted for a role, or -1. */
  versionOf(role: WeightsRole): number {
    return this.versions.get(role) ?? -1;
  }

  get caughtUp(): Promise<void> {
    return this.reader.caughtUp;
  }

  start(): Promise<void> {
    return this.reader.start();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }
}
