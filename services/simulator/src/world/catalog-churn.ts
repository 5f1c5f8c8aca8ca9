import type { Prng } from '../random/prng';
import type { SimCatalog, SimItem } from './catalog';

export interface CatalogChurnOptions {
  /** Apply changes every this many requests (0 turns churn off). */
  updateEveryRequests: number;
  /** Items going out of stock per 1,000 requests. */
  stockoutsPer1000Requests: number;
  /** An out-of-stock item comes back after this many requests (0: never). */
  restockAfterRequests: number;
  /** New items arriving per 1,000 requests. */
  newItemsPer1000Requests: number;
}

/** What one churn step changed; `changed` is what to publish on rec.catalog.v1. */
export interface CatalogChange {
  stockouts: number;
  restocks: number;
  arrivals: number;
  changed: SimItem[];
}

/**
 * The catalog changing mid-run on a schedule counted in requests, so that every run with the same seed
 * and request budget sees the same changes at the same points, whatever the policy. Fractional
 * expected counts accumulate and are paid out as whole items.
 */
export class CatalogChurn {
  private lastStep = 0;
  private stockoutDebt = 0;
  private arrivalDebt = 0;
  /** Out-of-stock items and the request count at which they come back. */
  private readonly restockAt = new Map<SimItem, number>();

  constructor(
    private readonly catalog: SimCatalog,
    private readonly prng: Prng,
    private readonly options: CatalogChurnOptions,
  ) {}

  /** Applies the changes due by `requestCount`; null when nothing was due. */
  advance(requestCount: number, now: number): CatalogChange | null {
    const every = this.options.updateEveryRequests;
    if (every <= 0 || requestCount < this.lastStep + every) return null;
    const change: CatalogChange = { stockouts: 0, restocks: 0, arrivals: 0, changed: [] };
    while (requestCount >= this.lastStep + every) {
      this.lastStep += every;
      this.step(this.lastStep, now, change);
    }
    return change;
  }

  private step(atRequest: number, now: number, change: CatalogChange): void {
    const every = this.options.updateEveryRequests;

    for (const [item, due] of this.restockAt) {
      if (due > atRequest) continue;
      this.restockAt.delete(item);
      this.catalog.setAvailable(item, true, now);
      change.restocks += 1;
      change.changed.push(item);
    }

    this.stockoutDebt += (this.options.stockoutsPer1000Requests * every) / 1000;
    // Keep at least half the catalog in stock, whatever the rates.
    while (this.stockoutDebt >= 1 && this.catalog.available().length > this.catalog.size / 2) {
      this.stockoutDebt -= 1;
      const item = this.prng.pick(this.catalog.available());
      this.catalog.setAvailable(item, false, now);
      if (this.options.restockAfterRequests > 0) this.restockAt.set(item, atRequest + this.options.restockAfterRequests);
      change.stockouts += 1;
      change.changed.push(item);
    }

    this.arrivalDebt += (this.options.newItemsPer1000Requests * every) / 1000;
    while (this.arrivalDebt >= 1) {
      this.arrivalDebt -= 1;
      const item = this.catalog.addItem(this.prng.pick(this.catalog.categories), atRequest, now);
      change.arrivals += 1;
      change.changed.push(item);
    }
  }
}
