import type { AvailableItems } from '../catalog/live-catalog';
import { featureNormalizerOf, type QNetwork } from './q-network';

/**
 * Keeps networks' input normaliser on the live catalog's feature statistics (mean and 1/std per dense
 * item feature over the available items). The owner of the weights (the parameter server) refreshes it
 * before it applies updates, so the statistics are part of every version it publishes: an actor or a
 * learner always normalises with the statistics of the weights it holds, never with its own view of the
 * catalog. Catalog statistics rather than the training stream's: they exist before the first transition,
 * every process holding the same catalog computes the same ones, and they need no channel of their own.
 */
export class CatalogNormalizer {
  private revision = -1;

  constructor(
    private readonly catalog: { available(): AvailableItems },
    private readonly networks: readonly QNetwork[],
  ) {}

  /** Recomputes and sets the normaliser if the catalog changed since the last call; says whether it did. */
  refresh(): boolean {
    const items = this.catalog.available();
    if (items.revision === this.revision || items.ids.length === 0) return false;
    const normalizer = featureNormalizerOf(items.vectors, this.networks[0].spec.itemDim);
    for (const network of this.networks) network.setNormalizer(normalizer);
    this.revision = items.revision;
    return true;
  }
}
