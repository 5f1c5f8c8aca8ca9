import { allFinite, type LiveCatalog } from '@rec/shared';
import { AdamParameterOptimizer, CatalogNormalizer, QNetwork } from '@rec/shared/model';
import type { ParameterServerConfig } from '@rec/parameter-server';

/**
 * The parameter server's role in one process: Adam over the online network, a strictly increasing
 * version, the target network synced every `targetSyncEvery` updates, and the online weights published
 * (to `publish`, the actor's weight swap) every `publishEveryUpdates` updates or `publishIntervalMs` of
 * simulated time. A gradient that would make the weights non-finite is rolled back, as in the service.
 * The input normaliser follows the live catalog's feature statistics, as in the service.
 */
export class InProcessParameterServer {
  readonly online: QNetwork;
  readonly target: QNetwork;
  private readonly optimizer: AdamParameterOptimizer;
  private version = 0;
  private targetVersion = 0;
  private publishedVersion = 0;
  private publishedAt = 0;
  rejected = 0;

  private readonly normalizer: CatalogNormalizer;

  constructor(
    private readonly config: ParameterServerConfig,
    catalog: LiveCatalog,
    /** `processedThrough`: the sequence of the newest update of the (one) learner these weights hold. */
    private readonly publish: (version: number, weights: Float32Array, processedThrough: number | undefined, now: number) => void,
  ) {
    this.online = new QNetwork(config.model, 'experiment-online');
    this.target = new QNetwork(config.model, 'experiment-target');
    this.target.copyFrom(this.online);
    this.optimizer = new AdamParameterOptimizer(this.online, config.learningRate);
    this.normalizer = new CatalogNormalizer(catalog, [this.online, this.target]);
    publish(0, this.online.getWeights(), undefined, 0);
  }

  get currentVersion(): number {
    return this.version;
  }

  private processedThrough: number | undefined;

  apply(gradients: Float32Array, now: number, sequence = -1): void {
    if (sequence >= 0) this.processedThrough = sequence;
    this.normalizer.refresh();
    this.optimizer.apply(gradients);
    this.version += 1;
    if (this.version - this.targetVersion >= this.config.targetSyncEvery) {
      this.target.copyFrom(this.online);
      this.targetVersion = this.version;
    }
    if (this.version - this.publishedVersion >= this.config.publishEveryUpdates || now - this.publishedAt >= this.config.publishIntervalMs) {
      this.publishNow(now);
    }
  }

  /** Publishes now if the weights moved since the last publish (the service's publish timer). */
  publishIfBehind(now: number): void {
    if (this.version !== this.publishedVersion && now - this.publishedAt >= this.config.publishIntervalMs) this.publishNow(now);
  }

  private publishNow(now: number): void {
    const weights = this.online.getWeights();
    if (!allFinite(weights)) {
      this.rejected += 1;
      return;
    }
    this.publish(this.version, weights, this.processedThrough, now);
    this.publishedVersion = this.version;
    this.publishedAt = now;
  }

  dispose(): void {
    this.online.dispose();
    this.target.dispose();
  }
}
