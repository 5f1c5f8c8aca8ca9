import type { CatalogItem } from '../events/contract';
import { encodeItem, ITEM_DIM, ITEM_FEATURE_SLOTS } from '../state/item-encoder';

/** One catalog entry with its encoded item-tower input. */
export interface CatalogEntry {
  item: CatalogItem;
  vector: Float32Array;
}

/** The available items as one row-major matrix, for scoring the whole catalog in one product. */
export interface AvailableItems {
  /** Bumped on every catalog change; caches keyed on it stay valid until it moves. */
  revision: number;
  ids: string[];
  /** itemId to row index in `vectors`. */
  rowOf: Map<string, number>;
  /** [ids.length * ITEM_DIM] */
  vectors: Float32Array;
}

/**
 * The live catalog of one process, fed from the compacted rec.catalog.v1 topic. Items are replaced by
 * newer versions (by updatedAt), never deleted: an unavailable item stays known (its history still
 * encodes) but is never in `available()`.
 */
export class LiveCatalog {
  private readonly entries = new Map<string, CatalogEntry>();
  private revision = 0;
  private snapshot: AvailableItems | null = null;
  private availableItems = 0;
  /** Items whose newest version has more numeric features than the item encoder reads. */
  private readonly withUnreadFeatures = new Set<string>();

  get size(): number {
    return this.entries.size;
  }

  get availableCount(): number {
    return this.availableItems;
  }

  /**
   * Known items with more numeric features than the item encoder reads (ITEM_FEATURE_SLOTS): the model
   * sees only their first ITEM_FEATURE_SLOTS features. Non-zero means the catalog says more than the
   * model can use; put the informative features first.
   */
  get itemsWithUnreadFeatures(): number {
    return this.withUnreadFeatures.size;
  }

  /** Applies one catalog record; an older version than the one held is ignored. */
  upsert(item: CatalogItem): void {
    const current = this.entries.get(item.itemId);
    if (current !== undefined && current.item.updatedAt > item.updatedAt) return;
    this.availableItems += (item.available ? 1 : 0) - (current?.item.available ? 1 : 0);
    this.entries.set(item.itemId, { item, vector: encodeItem(item) });
    if (item.features.length > ITEM_FEATURE_SLOTS) this.withUnreadFeatures.add(item.itemId);
    else this.withUnreadFeatures.delete(item.itemId);
    this.revision += 1;
    this.snapshot = null;
  }

  get(itemId: string): CatalogEntry | undefined {
    return this.entries.get(itemId);
  }

  /** The encoded vector of a known item (available or not). */
  vectorOf = (itemId: string): Float32Array | undefined => this.entries.get(itemId)?.vector;

  isAvailable(itemId: string): boolean {
    return this.entries.get(itemId)?.item.available === true;
  }

  /** The available items as a matrix; rebuilt only after a change. */
  available(): AvailableItems {
    if (this.snapshot !== null) return this.snapshot;
    const ids: string[] = [];
    for (const [itemId, entry] of this.entries) if (entry.item.available) ids.push(itemId);
    const vectors = new Float32Array(ids.length * ITEM_DIM);
    const rowOf = new Map<string, number>();
    ids.forEach((itemId, row) => {
      vectors.set(this.entries.get(itemId)!.vector, row * ITEM_DIM);
      rowOf.set(itemId, row);
    });
    this.snapshot = { revision: this.revision, ids, rowOf, vectors };
    return this.snapshot;
  }
}
