import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from '@rec/shared';
import type { PlatformTransport } from './platform-transport';

/** Answers a request in-process: an action, or null to simulate a timeout. */
export type InProcessPolicy = (request: RecommendationRequest) => RecommendationAction | null | Promise<RecommendationAction | null>;

/** A transport without Kafka: requests go to a policy function; what is published is kept for inspection. */
export class InProcessTransport implements PlatformTransport {
  readonly catalog: CatalogItem[] = [];
  readonly requests: RecommendationRequest[] = [];
  readonly feedback: UserFeedback[] = [];

  constructor(private readonly policy: InProcessPolicy) {}

  async publishCatalog(items: readonly CatalogItem[]): Promise<void> {
    this.catalog.push(...items);
  }

  async requestAction(request: RecommendationRequest): Promise<RecommendationAction | null> {
    this.requests.push(request);
    return this.policy(request);
  }

  async publishFeedback(events: readonly UserFeedback[]): Promise<void> {
    this.feedback.push(...events);
  }
}
