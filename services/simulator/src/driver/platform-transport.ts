import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from '@rec/shared';

/**
 * How the simulated platform reaches the recommender: only through the public contract. The Kafka
 * implementation publishes rec.catalog.v1, rec.requests.v1 and rec.feedback.v1 and reads
 * rec.actions.v1; the in-process one calls a policy function (tests, experiments).
 */
export interface PlatformTransport {
  /** Publishes catalog records (keyed by itemId); resolves once they are durable. */
  publishCatalog(items: readonly CatalogItem[]): Promise<void>;
  /** Sends a request; resolves with the first action answering it, or null after `timeoutMs`. */
  requestAction(request: RecommendationRequest, timeoutMs: number): Promise<RecommendationAction | null>;
  /** Publishes feedback events (keyed by userId); resolves once they are durable. */
  publishFeedback(events: readonly UserFeedback[]): Promise<void>;
}
