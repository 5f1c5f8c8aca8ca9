import { codecs } from '../avro/codecs';
import type { CatalogItem } from '../events/contract';
import { validateCatalogItem } from '../events/validate';
import { CompactedTopicReader } from '../kafka/compacted-topic-reader';
import type { ServiceRuntime } from '../runtime/service-runtime';
import { ITEM_FEATURE_SLOTS } from '../state/item-encoder';
import type { LiveCatalog } from './live-catalog';

/**
 * Keeps a LiveCatalog in step with rec.catalog.v1: every item from the beginning, then every change.
 * Invalid items go to the catalog's dead-letter topic. `caughtUp` gates readiness. Items with more
 * numeric features than the item encoder reads are counted in a gauge and the first one is logged: the
 * model ignores the rest, which an operator should know rather than find out.
 */
export function followCatalog(runtime: ServiceRuntime, catalog: LiveCatalog): CompactedTopicReader<CatalogItem> {
  const size = runtime.metrics.sharedGauge('catalog_items', 'Items known from rec.catalog.v1, by availability', ['available']);
  const unread = runtime.metrics.sharedGauge(
    'catalog_items_with_unread_features',
    `Known items with more numeric features than the item encoder reads (${ITEM_FEATURE_SLOTS}): the model ignores the rest`,
  );
  let warned = false;
  return new CompactedTopicReader<CatalogItem>(runtime.kafka, {
    topic: runtime.topics.catalog,
    decode: (bytes) => validateCatalogItem(codecs.catalogItem.decode(bytes)),
    deadLetters: runtime.deadLetters,
    metrics: runtime.metrics,
    logger: runtime.logger,
    groupPrefix: `${runtime.config.topicPrefix}${runtime.name}-catalog`,
    onRecord: (_key, item) => {
      if (item === null) return;
      catalog.upsert(item);
      const available = catalog.availableCount;
      size.set({ available: 'true' }, available);
      size.set({ available: 'false' }, catalog.size - available);
      unread.set(catalog.itemsWithUnreadFeatures);
      if (!warned && item.features.length > ITEM_FEATURE_SLOTS) {
        warned = true;
        runtime.logger.warn(
          { itemId: item.itemId, features: item.features.length, read: ITEM_FEATURE_SLOTS },
          'catalog items carry more numeric features than the item encoder reads; the model uses the first ones only (rec_catalog_items_with_unread_features counts them)',
        );
      }
    },
  });
}
