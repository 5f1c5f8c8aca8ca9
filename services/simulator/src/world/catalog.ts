import type { CatalogItem } from '@rec/shared';
import type { Prng } from '../random/prng';
import type { ItemDesign } from './item-design';
import { normalizeInPlace } from './vector-math';

/** Size of the hidden latent space (in the latent world the published features are the latent vector plus noise). */
export const LATENT_DIM = 16;

const CATEGORY_NAMES = [
  'electronics', 'books', 'fashion', 'home', 'garden', 'toys', 'sports', 'beauty',
  'grocery', 'music', 'movies', 'games', 'automotive', 'pets', 'baby', 'health',
  'office', 'tools', 'jewelry', 'shoes', 'outdoor', 'kitchen', 'crafts', 'travel',
  'software', 'appliances', 'furniture', 'art', 'watches', 'luggage', 'photo', 'stationery',
];

/** A category: the centre its items' latent vectors scatter around, its price level and peak hour. */
export interface Category {
  index: number;
  name: string;
  /** Unit vector in the latent space. */
  center: Float64Array;
  /** Local hour (0-24) at which the category appeals most. */
  peakHour: number;
  /** Median price of its items. */
  medianPrice: number;
}

/** An item with its hidden properties. `features` and `price` are what the recommender sees. */
export interface SimItem {
  /** Dense index into the catalog's item list. */
  index: number;
  itemId: string;
  category: Category;
  price: number;
  /** log(price / 100), used by the price-sensitivity term. */
  logRelativePrice: number;
  /** Hidden unit vector the users' tastes act on. */
  latent: Float64Array;
  /** Published features, as float32 values: what the world's item design publishes (latent world: the latent vector plus noise). */
  features: number[];
  /** Hidden per-item logit offset (how good the item is, whoever looks at it). */
  quality: number;
  available: boolean;
  /** The request count at which the item arrived mid-run; null for items present from the start. */
  arrivedAtRequest: number | null;
  /** Virtual time of the item's last change. */
  updatedAt: number;
}

export interface CatalogOptions {
  /** Items at the start. */
  size: number;
  /** Number of categories (at most CATEGORY_NAMES.length names; more get numbered names). */
  categories: number;
  /** How items are drawn and what of them is published (item-design.ts). */
  design: ItemDesign;
}

/**
 * The catalog, hidden side included. Items keep their index forever; going out of stock flips
 * `available`; new items are appended. `available()` is cached between changes.
 */
export class SimCatalog {
  readonly categories: Category[];
  readonly items: SimItem[] = [];
  private readonly byId = new Map<string, SimItem>();
  /** Items per category index, in arrival order. */
  private readonly byCategory: SimItem[][];
  private availableCache: SimItem[] | null = null;

  private constructor(
    private readonly prng: Prng,
    private readonly options: CatalogOptions,
  ) {
    this.categories = Array.from({ length: options.categories }, (_, index) => {
      const center = normalizeInPlace(Float64Array.from({ length: LATENT_DIM }, () => prng.normal()));
      return {
        index,
        name: CATEGORY_NAMES[index] ?? `category-${index}`,
        center,
        peakHour: prng.uniform(0, 24),
        medianPrice: Math.exp(prng.uniform(Math.log(8), Math.log(400))),
      };
    });
    this.byCategory = this.categories.map(() => []);
  }

  /** A fresh catalog of `options.size` items spread evenly over the categories. */
  static generate(prng: Prng, options: CatalogOptions, now: number): SimCatalog {
    const catalog = new SimCatalog(prng, options);
    for (let index = 0; index < options.size; index += 1) {
      catalog.addItem(catalog.categories[index % options.categories], null, now);
    }
    return catalog;
  }

  get size(): number {
    return this.items.length;
  }

  get(itemId: string): SimItem | undefined {
    return this.byId.get(itemId);
  }

  /** Every item of a category (in stock or not), in arrival order. */
  itemsOf(category: Category): readonly SimItem[] {
    return this.byCategory[category.index];
  }

  /** The items in stock now. */
  available(): readonly SimItem[] {
    this.availableCache ??= this.items.filter((item) => item.available);
    return this.availableCache;
  }

  /** Creates one item in `category` (drawing its hidden properties), appends it and returns it. */
  addItem(category: Category, arrivedAtRequest: number | null, now: number): SimItem {
    const { prng, options } = this;
    const { design } = options;
    const index = this.items.length;
    const latent = design.drawLatent(prng, category.center, this.byCategory[category.index]);
    const price = Math.max(0.99, Math.round(category.medianPrice * Math.exp(0.5 * prng.normal()) * 100) / 100);
    const features = design.publishFeatures(prng, latent, price);
    const item: SimItem = {
      index,
      itemId: `item-${String(index).padStart(6, '0')}`,
      category,
      price,
      logRelativePrice: Math.log(price / 100),
      latent,
      features,
      quality: design.drawQuality(prng),
      available: true,
      arrivedAtRequest,
      updatedAt: now,
    };
    this.items.push(item);
    this.byId.set(item.itemId, item);
    this.byCategory[category.index].push(item);
    this.availableCache = null;
    return item;
  }

  setAvailable(item: SimItem, available: boolean, now: number): void {
    item.available = available;
    item.updatedAt = now;
    this.availableCache = null;
  }

  /** The public record of an item, as published on rec.catalog.v1 (`updatedAt`: the published time). */
  static toCatalogItem(item: SimItem, updatedAt: number): CatalogItem {
    return {
      itemId: item.itemId,
      category: item.category.name,
      price: item.price,
      features: item.features,
      available: item.available,
      updatedAt,
    };
  }
}
