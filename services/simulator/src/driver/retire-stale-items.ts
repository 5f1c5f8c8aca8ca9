import {
  codecs,
  CompactedTopicReader,
  type CatalogItem,
  type DeadLetterPublisher,
  type Logger,
  type ServiceMetrics,
} from '@rec/shared';
import type { Kafka } from '@rec/shared';
import type { SimCatalog } from '../world/catalog';
import type { PlatformTransport } from './platform-transport';

/**
 * The catalog topic is compacted and outlives runs: items a previous run published (a bigger catalog,
 * or mid-run arrivals) would still look available to the actors. Reads the topic to its current end and
 * republishes every available item this run's initial catalog does not have with available=false.
 * Returns how many were retired.
 */
export async function retireStaleItems(deps: {
  kafka: Kafka;
  topic: string;
  catalog: SimCatalog;
  transport: PlatformTransport;
  deadLetters: DeadLetterPublisher;
  metrics: ServiceMetrics;
  logger: Logger;
  updatedAt: number;
  timeoutMs?: number;
}): Promise<number> {
  const latest = new Map<string, CatalogItem | null>();
  const reader = new CompactedTopicReader<CatalogItem>(deps.kafka, {
    topic: deps.topic,
    decode: (bytes) => codecs.catalogItem.decode(bytes),
    onRecord: (key, value) => latest.set(key, value),
    deadLetters: deps.deadLetters,
    metrics: deps.metrics,
    logger: deps.logger,
    groupPrefix: `${deps.topic}.simulator-scan`,
  });
  await reader.start();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), deps.timeoutMs ?? 30_000);
  });
  const caughtUp = await Promise.race([reader.caughtUp.then(() => true), timedOut]);
  clearTimeout(timer);
  await reader.stop();
  if (!caughtUp) deps.logger.warn({ topic: deps.topic }, 'catalog scan timed out; stale items may remain available');
  const stale: CatalogItem[] = [];
  for (const [itemId, value] of latest) {
    if (value === null || !value.available || deps.catalog.get(itemId) !== undefined) continue;
    stale.push({ ...value, available: false, updatedAt: deps.updatedAt });
  }
  if (stale.length > 0) await deps.transport.publishCatalog(stale);
  return stale.length;
}
