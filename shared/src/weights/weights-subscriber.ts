import { codecs } from '../avro/codecs';
import { RecError } from '../errors/errors';
import type { WeightsRole } from '../events/internal';
import { CompactedTopicReader } from '../kafka/compacted-topic-reader';
import type { ServiceRuntime } from '../runtime/service-runtime';
import type { Parameter } from './row-sparse-format';
import { verifiedWeights, weightsDeltaKey, weightsFromDelta, weightsKey, type WeightsBase } from './weights-payload';

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
 * Follows one model's weights on the compacted model.weights.v1 topic: full records under
 * `<modelId>/<role>` and deltas against them under `<modelId>/<role>/delta` (WeightsPublishEncoder).
 * Verifies each payload (layout, checksum, finite values; a delta's reconstruction against its checksum),
 * ignores versions older than the one held, and hands good ones to `onWeights` as full weights (which
 * swaps them in synchronously, so serving never sees half a model). A delta whose base full record this
 * process does not hold (it started after that record was compacted away, or missed it) is skipped and
 * counted until the next full record. Rejections are counted.
 */
export class WeightsSubscriber {
  private readonly reader: CompactedTopicReader<Buffer | null>;
  private readonly versions = new Map<WeightsRole, number>();
  /** Per role, the newest full record adopted: the base deltas apply to. */
  private readonly bases = new Map<WeightsRole, WeightsBase>();
  private readonly rejected;
  private readonly skipped;
  private readonly adopted;
  private readonly lag;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly options: { layoutHash: string; layout: readonly Parameter[]; roles: WeightsRole[]; onWeights: (weights: ReceivedWeights) => void },
  ) {
    const { modelId } = runtime.config;
    const fullKeys = new Set(options.roles.map((role) => weightsKey(modelId, role)));
    const deltaKeys = new Set(options.roles.map((role) => weightsDeltaKey(modelId, role)));
    this.rejected = runtime.metrics.sharedCounter('weights_rejected_total', 'Weights payloads rejected (bad layout, checksum, NaN/Inf, a delta that does not reconstruct)', ['reason']);
    this.skipped = runtime.metrics.sharedCounter('weights_deltas_skipped_total', 'Weights deltas skipped because this process does not hold the full record they apply to (until the next full record)', ['role']);
    this.adopted = runtime.metrics.sharedCounter('weights_adopted_total', 'Weights versions adopted, by the kind of record that brought them (full or delta)', ['kind']);
    this.lag = runtime.metrics.sharedHistogram('weights_broadcast_lag_seconds', 'From the parameter server publishing weights to this process adopting them', [], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
    this.reader = new CompactedTopicReader<Buffer | null>(runtime.kafka, {
      topic: runtime.topics.modelWeights,
      // Decoded by key in onRecord: full records and deltas have their own schemas.
      decode: (bytes) => bytes,
      deadLetters: runtime.deadLetters,
      metrics: runtime.metrics,
      logger: runtime.logger,
      groupPrefix: `${runtime.config.topicPrefix}${runtime.name}-weights`,
      onRecord: (key, bytes) => {
        if (bytes === null) return;
        if (fullKeys.has(key)) this.onFull(bytes);
        else if (deltaKeys.has(key)) this.onDelta(bytes);
      },
    });
  }

  private onFull(bytes: Buffer): void {
    const record = codecs.modelWeights.decode(bytes);
    if (record.version < this.versionOf(record.role)) return;
    const values = this.verified(record.version, record.role, () => verifiedWeights(record, this.options.layoutHash));
    if (values === null) return;
    this.bases.set(record.role, { version: record.version, checksum: record.checksum, values: Float32Array.from(values) });
    this.adopt('full', { ...record, values });
  }

  private onDelta(bytes: Buffer): void {
    const record = codecs.modelWeightsDelta.decode(bytes);
    if (record.version <= this.versionOf(record.role)) return;
    const base = this.bases.get(record.role) ?? null;
    if (base === null || base.version !== record.baseVersion || base.checksum !== record.baseChecksum) {
      this.skipped.inc({ role: record.role });
      this.runtime.logger.info({ version: record.version, role: record.role, baseVersion: record.baseVersion, heldBase: base?.version ?? null }, 'weights delta skipped: its full record is not held (waiting for the next full record)');
      return;
    }
    const values = this.verified(record.version, record.role, () => weightsFromDelta(record, base, this.options.layoutHash, this.options.layout));
    if (values === null) return;
    this.adopt('delta', { ...record, values });
  }

  /** The payload's weights, or null when it fails verification (counted and logged). */
  private verified(version: number, role: WeightsRole, verify: () => Float32Array): Float32Array | null {
    try {
      return verify();
    } catch (error) {
      const reason = error instanceof RecError ? error.reason : 'invalid';
      this.rejected.inc({ reason });
      this.runtime.logger.warn({ version, role, reason, error: (error as Error).message }, 'weights rejected');
      return null;
    }
  }

  private adopt(kind: 'full' | 'delta', weights: ReceivedWeights): void {
    this.versions.set(weights.role, weights.version);
    this.adopted.inc({ kind });
    this.options.onWeights({
      role: weights.role,
      version: weights.version,
      values: weights.values,
      newestSampleTimestamp: weights.newestSampleTimestamp,
      publishedAt: weights.publishedAt,
      learnerProgress: weights.learnerProgress ?? {},
    });
    if (this.reader.ready) this.lag.observe(Math.max(0, Date.now() - weights.publishedAt) / 1000);
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
