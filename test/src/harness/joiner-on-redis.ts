import { JoinerMetrics, RewardJoiner, type JoinerConfig, type PendingRequestStore } from '@rec/joiner';
import { PopularityStore, RequestStateStore, UserHistoryStore, ServiceMetrics, type BatchingProducer, type LiveCatalog, type Logger, type Redis } from '@rec/shared';
import type { TestContext } from './test-context';

/**
 * A RewardJoiner wired as the joiner service wires it (startJoiner), on the real Redis and a producer the
 * test chooses (the real one, or one that holds or refuses sends), for tests that drive its chunks and
 * sweeps directly. `metric` reads one of its series in the Prometheus text format.
 */
export function joinerOnRedis(
  ctx: TestContext,
  options: { redis: Redis; pending: PendingRequestStore; producer: BatchingProducer; catalog: LiveCatalog; config: JoinerConfig; logger: Logger },
): { joiner: RewardJoiner; serviceMetrics: ServiceMetrics; metric: (name: string) => Promise<string> } {
  const serviceMetrics = new ServiceMetrics('joiner');
  const joiner = new RewardJoiner({
    config: options.config,
    pending: options.pending,
    requestStates: new RequestStateStore(options.redis, ctx.ns.keys, 60_000),
    popularity: new PopularityStore(options.redis, ctx.ns.keys),
    histories: new UserHistoryStore(options.redis, ctx.ns.keys),
    catalog: options.catalog,
    producer: options.producer,
    feedbackTopic: ctx.ns.topics.feedback,
    transitionsTopic: ctx.ns.topics.transitions,
    metrics: new JoinerMetrics(serviceMetrics),
    logger: options.logger,
  });
  const metric = async (name: string): Promise<string> => (await serviceMetrics.registry.getSingleMetricAsString(name)) ?? '';
  return { joiner, serviceMetrics, metric };
}
