import {
  allFinite,
  WeightsPublishEncoder,
  type BatchingProducer,
  type ConsumedRecord,
  type LoadRequest,
  type LiveCatalog,
  type Logger,
  type ModelControl,
  type ModelUpdate,
  type WeightsHistory,
  type WeightsRole,
} from '@rec/shared';
import { AdamParameterOptimizer, CatalogNormalizer, itemsSharingIdRows, QNetwork } from '@rec/shared/model';
import type { ParameterServerConfig } from './config';
import type { ModelSnapshotStore } from './model-snapshot-store';
import type { ParameterServerMetrics } from './parameter-server-metrics';

/** How many recent versions remember which learner made them (for the staleness a lookahead learner sees). */
const AUTHOR_MEMORY = 4_096;
/** Learners whose progress the weights carry (the most recently heard from). */
const MAX_TRACKED_LEARNERS = 256;

/** An update after decoding and verification: its gradient as floats. */
export interface VerifiedUpdate {
  update: ModelUpdate;
  gradients: Float32Array;
}

export interface ParameterServerDeps {
  config: ParameterServerConfig;
  snapshots: ModelSnapshotStore;
  /** Where each published version is kept (pin, rollback, export). */
  history: WeightsHistory;
  /** Where rollback and import requests arrive. */
  control: ModelControl;
  producer: BatchingProducer;
  weightsTopic: string;
  /** The live catalog: the input normaliser in the weights follows its feature statistics. */
  catalog: LiveCatalog;
  metrics: ParameterServerMetrics;
  logger: Logger;
}

/**
 * The parameter server's role: the one writer of a model's weights. It applies learners' gradients with
 * Adam (dropping those computed on weights more than maxStaleness versions old, counting for a learner that
 * looks ahead only other learners' versions), records per learner the newest update sequence processed
 * (published with the ONLINE weights, so lookahead learners know what a version holds), owns the strictly
 * increasing version, syncs the target network every targetSyncEvery updates, and publishes the weights
 * to the compacted weights topic on a cadence (the online weights whole every weightsFullEvery publishes,
 * deltas against the last whole record in between: WeightsPublishEncoder). Before every publish it snapshots everything to Redis,
 * including the update offsets the state reaches, so:
 *  - a restart never regresses the version anyone has seen (a version is published only once snapshotted);
 *  - a crash loses no update: the restarted server seeks the updates topic back to the snapshot's offsets
 *    and applies again what it had applied since, and skips anything the snapshot already holds (exactly
 *    once, whatever the consumer group committed). Snapshots cost one per publish, not one per chunk.
 */
export class ParameterServer {
  readonly online: QNetwork;
  readonly target: QNetwork;
  private optimizer: AdamParameterOptimizer;
  /** The version made by the last rollback or import: updates computed on older weights are dropped. */
  private loadedVersion = 0;
  private version = 0;
  private targetVersion = 0;
  private publishedVersion = -1;
  private publishedTargetVersion = -1;
  private snapshotVersion = -1;
  private lastPublishAt = 0;
  private newestSampleTimestamp: number | null = null;
  /** Per updates partition, the offset of the next update to apply (everything before it is in the weights). */
  private nextOffsets = new Map<number, number>();
  /** The last weights known to be finite, restored if an update ever breaks them. */
  private lastGood: { version: number; online: Float32Array } | null = null;
  private exclusive: Promise<unknown> = Promise.resolve();
  private readonly normalizer: CatalogNormalizer;
  /** Per learnerId, the newest update sequence processed (applied or dropped): published with ONLINE weights. */
  private learnerProgress = new Map<string, number>();
  /** Per role, how each publish is encoded: ONLINE full every PS_WEIGHTS_FULL_EVERY publishes and deltas between, TARGET (synced rarely, wholesale) always full. */
  private readonly encoders: Record<WeightsRole, WeightsPublishEncoder>;
  /** Which learner made each of the last AUTHOR_MEMORY versions (indexed by version mod AUTHOR_MEMORY). */
  private readonly authors: (string | undefined)[] = new Array(AUTHOR_MEMORY);
  private warnedSharedIdRows = false;

  constructor(private readonly deps: ParameterServerDeps) {
    this.online = new QNetwork(deps.config.model, 'ps-online');
    this.target = new QNetwork(deps.config.model, 'ps-target');
    this.target.copyFrom(this.online);
    this.optimizer = new AdamParameterOptimizer(this.online, deps.config.learningRate);
    this.normalizer = new CatalogNormalizer(deps.catalog, [this.online, this.target]);
    this.encoders = { ONLINE: new WeightsPublishEncoder(this.online.layout, deps.config.weightsFullEvery), TARGET: new WeightsPublishEncoder(this.online.layout, 1) };
  }

  /**
   * Counts the available items that share a per-item row with another (rec_parameter_server_items_sharing_id_rows)
   * and warns once when more than a quarter do: each such row learns several items' own appeal as one, and
   * a new item starts from a row another item trained. More rows (MODEL_ITEM_ID_BUCKETS, a power of two,
   * the same in every service) separate them at 17 floats a row in every full weights record and Adam's
   * state; README "Sizing the per-item table" has what a larger table measured.
   */
  private countSharedIdRows(): void {
    const items = this.deps.catalog.available();
    const buckets = this.online.spec.itemIdBuckets;
    const sharing = itemsSharingIdRows(this.online.spec, items.vectors);
    this.deps.metrics.itemsSharingIdRows.set(sharing);
    if (!this.warnedSharedIdRows && sharing > items.ids.length / 4) {
      this.warnedSharedIdRows = true;
      this.deps.logger.warn(
        { availableItems: items.ids.length, itemsSharingIdRows: sharing, itemIdBuckets: buckets },
        'more than a quarter of the available items share their per-item embedding row with another item (their own appeal is learned as one); MODEL_ITEM_ID_BUCKETS sets the rows, the same in every service (README: Sizing the per-item table)',
      );
    }
  }

  get currentVersion(): number {
    return this.version;
  }

  /** The newest ONLINE version published (-1 before the first publish). */
  get lastPublishedVersion(): number {
    return this.publishedVersion;
  }

  /** Where to read each updates partition from: right after the last update the weights hold. */
  get resumeOffsets(): ReadonlyMap<number, number> {
    return this.nextOffsets;
  }

  /**
   * Resumes from the Redis snapshot if there is one, then publishes both networks. `committedOffsets` (the
   * consumer group's positions) place partitions the snapshot does not cover, e.g. on the first start.
   */
  async start(committedOffsets: ReadonlyMap<number, number> = new Map()): Promise<void> {
    const snapshot = await this.deps.snapshots.load();
    this.nextOffsets = new Map(committedOffsets);
    if (snapshot !== null && snapshot.layoutHash === this.online.layoutHash) {
      this.online.setWeights(snapshot.online);
      this.target.setWeights(snapshot.target);
      await this.optimizer.importState(snapshot.optimizer);
      this.version = snapshot.version;
      this.targetVersion = snapshot.targetVersion;
      this.snapshotVersion = snapshot.version;
      this.newestSampleTimestamp = snapshot.newestSampleTimestamp;
      for (const [partition, offset] of snapshot.updateOffsets ?? []) this.nextOffsets.set(partition, offset);
      this.learnerProgress = new Map(snapshot.learnerProgress ?? []);
      this.deps.logger.info({ version: this.version, resumeOffsets: Object.fromEntries(this.nextOffsets) }, 'resumed from snapshot');
    } else {
      if (snapshot !== null) this.deps.logger.warn({ layoutHash: snapshot.layoutHash }, 'snapshot has another layout; starting fresh');
      await this.snapshot();
    }
    this.lastGood = { version: this.version, online: this.online.getWeights() };
    this.deps.metrics.version.set(this.version);
    await this.publish(['ONLINE', 'TARGET']);
  }

  /** Applies a chunk of verified updates, then snapshots and publishes when the cadence says so. */
  applyChunk(records: ConsumedRecord<VerifiedUpdate>[]): Promise<void> {
    return this.serially(async () => {
      const { config, metrics } = this.deps;
      let targetSynced = false;
      // The normaliser follows the catalog; the version it first appears in is the next one published.
      if (this.normalizer.refresh()) this.countSharedIdRows();
      for (const { value, partition, offset } of records) {
        const position = Number(offset);
        if (position < (this.nextOffsets.get(partition) ?? 0)) {
          metrics.dropped.inc({ reason: 'already-applied' });
          continue;
        }
        this.nextOffsets.set(partition, position + 1);
        const { learnerId, sequence } = value.update;
        if (sequence >= 0) this.recordProgress(learnerId, sequence);
        const staleness = this.stalenessOf(value.update);
        metrics.staleness.observe(Math.max(0, staleness));
        if (value.update.baseVersion < this.loadedVersion) {
          // Computed on the weights a rollback or import replaced: they would pull the model back.
          metrics.dropped.inc({ reason: 'before-load' });
          continue;
        }
        if (staleness > config.maxStaleness || staleness < 0) {
          metrics.dropped.inc({ reason: staleness < 0 ? 'future-version' : 'stale' });
          continue;
        }
        this.optimizer.apply(value.gradients);
        this.version += 1;
        this.authors[this.version % AUTHOR_MEMORY] = learnerId;
        metrics.applied.inc();
        metrics.tdLoss.set(value.update.tdLoss);
        const sample = value.update.newestSampleTimestamp;
        if (sample !== null) this.newestSampleTimestamp = Math.max(this.newestSampleTimestamp ?? 0, sample);
        if (this.version - this.targetVersion >= config.targetSyncEvery) {
          this.target.copyFrom(this.online);
          this.targetVersion = this.version;
          targetSynced = true;
          metrics.targetSyncs.inc();
        }
      }
      if (this.version === this.publishedVersion && !targetSynced) return;
      if (!this.weightsAreFinite()) return;
      metrics.version.set(this.version);
      const due = this.version - this.publishedVersion >= config.publishEveryUpdates || Date.now() - this.lastPublishAt >= config.publishIntervalMs;
      if (due || targetSynced) {
        await this.snapshot();
        await this.publish(targetSynced ? ['ONLINE', 'TARGET'] : ['ONLINE']);
      }
    });
  }

  /**
   * Snapshots and publishes weights newer than the last published ones; runs on a timer (so a quiet
   * stream still gets them, and at most publishIntervalMs of updates are ever re-applied after a crash)
   * and at shutdown.
   */
  publishIfBehind(): Promise<void> {
    return this.serially(async () => {
      if (this.version === this.publishedVersion || !this.weightsAreFinite()) return;
      if (this.version !== this.snapshotVersion) await this.snapshot();
      await this.publish(['ONLINE']);
    });
  }

  /**
   * Takes a pending load request (`rec rollback`, `rec import`) and makes its weights the next version:
   * both networks set to them, Adam's moments reset, the version advanced (versions only ever increase),
   * snapshotted and published. The answer (the new version, or why not) goes back through Redis.
   */
  applyLoadRequest(): Promise<void> {
    return this.serially(async () => {
      const { control, logger, metrics } = this.deps;
      const request = await control.takeLoadRequest();
      if (request === null) return;
      let weights: Float32Array;
      try {
        weights = await this.weightsFor(request);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        logger.warn({ request, error: message }, 'load request refused');
        await control.answerLoad({ id: request.id, version: null, error: message, appliedAt: Date.now() });
        return;
      }
      this.online.setWeights(weights);
      this.target.setWeights(weights);
      this.optimizer.dispose();
      this.optimizer = new AdamParameterOptimizer(this.online, this.deps.config.learningRate);
      this.version += 1;
      this.authors[this.version % AUTHOR_MEMORY] = undefined;
      this.targetVersion = this.version;
      this.loadedVersion = this.version;
      this.lastGood = { version: this.version, online: weights };
      metrics.version.set(this.version);
      metrics.loaded.inc({ source: request.source.kind });
      await this.snapshot();
      await this.publish(['ONLINE', 'TARGET']);
      if (request.source.kind === 'staged') await control.clearStaged();
      await control.answerLoad({ id: request.id, version: this.version, error: null, appliedAt: Date.now() });
      logger.info({ source: request.source, version: this.version }, 'loaded weights as a new version');
    });
  }

  /**
   * Versions an update is behind. A learner that looks ahead (sequence >= 0) computed its gradient on the
   * base version plus its own later updates, so only the versions other learners (or loads) made since
   * count; the rest of the gap is its own work, already in what it computed on.
   */
  private stalenessOf(update: ModelUpdate): number {
    const raw = this.version - update.baseVersion;
    if (update.sequence < 0 || raw <= 0 || raw > AUTHOR_MEMORY) return raw;
    let others = 0;
    for (let version = update.baseVersion + 1; version <= this.version; version += 1) {
      if (this.authors[version % AUTHOR_MEMORY] !== update.learnerId) others += 1;
    }
    return others;
  }

  private recordProgress(learnerId: string, sequence: number): void {
    const previous = this.learnerProgress.get(learnerId) ?? -1;
    // Re-inserted, so the map's order is least recently heard from first.
    this.learnerProgress.delete(learnerId);
    this.learnerProgress.set(learnerId, Math.max(previous, sequence));
    if (this.learnerProgress.size > MAX_TRACKED_LEARNERS) this.learnerProgress.delete(this.learnerProgress.keys().next().value as string);
  }

  private async weightsFor(request: LoadRequest): Promise<Float32Array> {
    const { source } = request;
    const found = source.kind === 'history' ? await this.deps.history.load(source.version) : await this.deps.control.staged();
    if (found === null) {
      if (source.kind === 'staged') throw new Error('no staged weights (rec import stages them)');
      throw new Error(`version ${source.version} is not in the weights history (kept: ${(await this.deps.history.versions()).join(', ') || 'none'})`);
    }
    if (found.layoutHash !== this.online.layoutHash) {
      throw new Error(`the weights have layout ${found.layoutHash}, this model ${this.online.layoutHash} (another MODEL_HIDDEN_SIZES or encoder?)`);
    }
    if (!allFinite(found.values)) throw new Error('the weights hold NaN or Infinity');
    return found.values;
  }

  private weightsAreFinite(): boolean {
    const weights = this.online.getWeights();
    if (allFinite(weights)) {
      this.lastGood = { version: this.version, online: weights };
      return true;
    }
    // Never publish a broken model: roll back to the last good weights and keep their version.
    this.deps.metrics.rejected.inc({ reason: 'weights-not-finite' });
    this.deps.logger.error({ version: this.version, lastGood: this.lastGood?.version }, 'weights became non-finite; rolled back');
    if (this.lastGood !== null) {
      this.online.setWeights(this.lastGood.online);
      this.version = Math.max(this.lastGood.version, this.snapshotVersion);
    }
    return false;
  }

  private async snapshot(): Promise<void> {
    const stop = this.deps.metrics.snapshotSeconds.startTimer();
    await this.deps.snapshots.save({
      version: this.version,
      targetVersion: this.targetVersion,
      layoutHash: this.online.layoutHash,
      online: this.online.getWeights(),
      target: this.target.getWeights(),
      optimizer: await this.optimizer.exportState(),
      newestSampleTimestamp: this.newestSampleTimestamp,
      updateOffsets: this.nextOffsets,
      learnerProgress: this.learnerProgress,
    });
    this.snapshotVersion = this.version;
    stop();
  }

  private async publish(roles: WeightsRole[]): Promise<void> {
    const { config, producer, weightsTopic, metrics } = this.deps;
    for (const role of roles) {
      if (role === 'TARGET' && this.publishedTargetVersion === this.targetVersion && this.publishedVersion >= 0) continue;
      const stop = metrics.publishSeconds.startTimer();
      const values = (role === 'ONLINE' ? this.online : this.target).getWeights();
      const encoded = this.encoders[role].encode({
        modelId: config.common.modelId,
        role,
        version: role === 'ONLINE' ? this.version : this.targetVersion,
        layoutHash: this.online.layoutHash,
        values,
        newestSampleTimestamp: this.newestSampleTimestamp,
        learnerProgress: role === 'ONLINE' ? Object.fromEntries(this.learnerProgress) : {},
      });
      await producer.send(weightsTopic, { key: encoded.key, value: encoded.value });
      // Only an acknowledged full record becomes the base later deltas name.
      encoded.sent();
      stop();
      metrics.published.inc({ role, kind: encoded.kind });
      metrics.publishedBytes.inc({ role, kind: encoded.kind }, encoded.value.length);
      metrics.payloadBytes.set(encoded.value.length);
      if (role === 'ONLINE') {
        this.publishedVersion = this.version;
        await this.deps.history.record({ version: this.version, layoutHash: this.online.layoutHash, values, publishedAt: encoded.publishedAt }, config.weightsHistory);
      } else {
        this.publishedTargetVersion = this.targetVersion;
      }
    }
    this.lastPublishAt = Date.now();
  }

  /** Runs one state-changing task at a time (the consumer and the publish timer share the model). */
  private serially(task: () => Promise<void>): Promise<void> {
    const run = this.exclusive.then(task, task);
    this.exclusive = run.catch(() => undefined);
    return run;
  }
}
