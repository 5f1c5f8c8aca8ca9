/**
 * Bounds the gradient updates a learner sends on one weights version. The parameter server drops an
 * update computed on weights more than PS_MAX_STALENESS versions old, and with one learner each applied
 * update is one version: the (K+1)-th update on the same weights is stale on arrival. When new weights
 * stop arriving (the learner's weights reader re-reading the compacted topic after a broker restart,
 * or a partition leader moving) while its updates still go out, a learner without this bound computed
 * hundreds of gradients only to have them dropped (the broker-restart fault: 435 of 468 once). With it,
 * the learner waits for newer weights instead. A learner that looks ahead (OwnUpdateLookahead) is not
 * stale on its own updates, but it keeps each one on top of the broadcast until a broadcast holds it, at
 * most LEARNER_MAX_UPDATES_PER_WEIGHTS of them (main.ts passes the same setting): this gate keeps it from
 * running further ahead of the parameter server than that.
 */
export class WeightsFreshnessGate {
  private version = -1;
  private sent = 0;

  constructor(private readonly maxUpdatesPerVersion: number) {}

  /** Weights of `version` were adopted; a newer version reopens the gate. */
  adopted(version: number): void {
    if (version > this.version) {
      this.version = version;
      this.sent = 0;
    }
  }

  /** An update computed on the current weights was sent. */
  sentUpdate(): void {
    this.sent += 1;
  }

  /** Whether another update on the current weights may be computed. */
  get open(): boolean {
    return this.sent < this.maxUpdatesPerVersion;
  }
}
