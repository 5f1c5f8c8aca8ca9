import { codecs } from '../avro/codecs';
import type { CatalogItem } from '../events/contract';
import { validateCatalogItem } from '../events/validate';
import { CompactedTopicReader } from '../kafka/compacted-topic-reader';
import type { ServiceRuntime } from '../runtime/service-runtime';
import type { LiveCatalog } from './live-catalog';

/**
 * Keeps a LiveCatalog in step with rec.catalog.v1: every item from the beginning, then every change.
 * Invalid items go to the catalog's dead-letter topic. `caughtUp` gates readiness.
 */
export function followCatalog(runtime: ServiceRuntime, catalog: LiveCatalog): CompactedTopicReader<CatalogItem> {
  const size = runtime.metrics.sharedGauge('catalog_items', 'Items known from rec.catalog.v1, by availability', ['available']);
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
    },
  });
}
