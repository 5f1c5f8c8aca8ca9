import type { Gauge, Logger, ModelControl, WeightsHistory } from '@rec/shared';
import type { DqnPolicy } from './scoring-policy';

/**
 * Decides which weights the DQN policy serves: the newest broadcast online weights, unless an operator
 * pinned a version (`rec pin <version>`), which is then loaded from the weights history and served until
 * `rec unpin`. Learning goes on meanwhile; on unpin the newest weights come back at once.
 */
export class ServingWeights {
  private latest: { version: number; values: Float32Array } | null = null;
  private pinned: number | null = null;
  private missing: number | null = null;

  constructor(
    private readonly deps: { policy: DqnPolicy; control: ModelControl; history: WeightsHistory; pinnedGauge: Gauge; logger: Logger },
  ) {
    deps.pinnedGauge.set(-1);
  }

  /** The version pinned and served now, or null when the newest weights are served. */
  get pinnedVersion(): number | null {
    return this.pinned;
  }

  /** New online weights from the broadcast: served at once unless a version is pinned. */
  onOnline(version: number, values: Float32Array): void {
    this.latest = { version, values };
    if (this.pinned === null) this.deps.policy.adopt(version, values);
  }

  /** Reads the pin and switches what is served when it changed. */
  async refresh(): Promise<void> {
    const wanted = await this.deps.control.pinnedVersion();
    if (wanted === this.pinned) return;
    const { policy, logger } = this.deps;
    if (wanted === null) {
      this.pinned = null;
      this.missing = null;
      if (this.latest !== null) policy.adopt(this.latest.version, this.latest.values);
      this.deps.pinnedGauge.set(-1);
      logger.info({ version: policy.modelVersion() }, 'unpinned: serving the newest weights');
      return;
    }
    const weights = await this.deps.history.load(wanted);
    if (weights === null) {
      if (this.missing !== wanted) logger.warn({ version: wanted }, 'pinned version is not in the weights history; serving on unchanged');
      this.missing = wanted;
      return;
    }
    if (weights.layoutHash !== policy.network.layoutHash) {
      if (this.missing !== wanted) logger.warn({ version: wanted, layoutHash: weights.layoutHash }, 'pinned version has another layout; serving on unchanged');
      this.missing = wanted;
      return;
    }
    policy.adopt(wanted, weights.values);
    this.pinned = wanted;
    this.missing = null;
    this.deps.pinnedGauge.set(wanted);
    logger.info({ version: wanted }, 'pinned: serving this version until unpinned');
  }
}
