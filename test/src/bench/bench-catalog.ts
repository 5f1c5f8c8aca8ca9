import { codecs, seededRandom, type BatchingProducer, type CatalogItem } from '@rec/shared';

/** Categories of the benchmark catalog (the brief asks for 20 or more). */
export const BENCH_CATEGORIES = 24;
/** Numeric features per item (the item encoder's 16 slots). */
export const BENCH_FEATURES = 16;

/** `size` available items, `item-<n>`, with 16 features and one of 24 categories, reproducible from `seed`. */
export function benchCatalog(size: number, seed = 1): CatalogItem[] {
  const random = seededRandom(seed);
  return Array.from({ length: size }, (_, index) => ({
    itemId: `item-${index}`,
    category: `category-${index % BENCH_CATEGORIES}`,
    price: Math.round(5 + random() * 200),
    features: Array.from({ length: BENCH_FEATURES }, () => Math.fround(random() * 2 - 1)),
    available: true,
    updatedAt: 1,
  }));
}

/** Publishes a catalog to rec.catalog.v1 (keyed by itemId) and waits for every acknowledgement. */
export async function publishCatalog(producer: BatchingProducer, topic: string, items: readonly CatalogItem[]): Promise<void> {
  await producer.sendAll(
    topic,
    items.map((item) => ({ key: item.itemId, value: codecs.catalogItem.encode(item) })),
  );
}
