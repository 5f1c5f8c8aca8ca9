/**
 * The actor's composition root: wires the plumbing, the live catalog, the weights and the slate server,
 * then consumes rec.requests.v1 as the consumer group "<prefix>actor".
 */
import {
  DecisionCounter,
  groupMembership,
  startsFromBeginning,
  LiveCatalog,
  ModelControl,
  PopularityStore,
  RequestStateStore,
  UserHistoryStore,
  WeightsHistory,
  WeightsSubscriber,
  codecs,
  consumerReadiness,
  registryFrame,
  type RecommendationAction,
  followCatalog,
  runBatchConsumer,
  seededRandom,
  startServiceRuntime,
  watchConsumerLag,
  validateRequest,
  type RuntimeOptions,
  type ServiceRuntime,
} from '@rec/shared';
import { QNetwork, initTensorBackend } from '@rec/shared/model';
import { ActorMetrics } from './actor-metrics';
import { readActorConfig, type ActorConfig } from './config';
export { readActorConfig, type ActorConfig } from './config';
import { DqnPolicy, PopularityPolicy, RandomPolicy, type ScoringPolicy } from './scoring-policy';
import { RecentActions } from './recent-actions';
import { ServingWeights } from './serving-weights';
import { SlateExplainer } from './slate-explainer';
import { exposureBonusFor } from './exposure-bonus';
import { SlateServer } from './slate-server';

export async function startActor(config: ActorConfig, options: RuntimeOptions = {}): Promise<ServiceRuntime> {
  const runtime = await startServiceRuntime('actor', config.common, options);
  const { logger, kafka, redis, keys, topics } = runtime;
  const backend = await initTensorBackend(logger);
  const metrics = new ActorMetrics(runtime.metrics, backend);

  const catalog = new LiveCatalog();
  const catalogReader = followCatalog(runtime, catalog);
  const policy = buildPolicy(config, runtime);

  const history = new WeightsHistory(redis, keys, config.common.modelId);
  let weights: WeightsSubscriber | null = null;
  let serving: ServingWeights | null = null;
  if (policy instanceof DqnPolicy) {
    const servingWeights = new ServingWeights({
      policy,
      control: new ModelControl(redis, keys, config.common.modelId),
      history,
      pinnedGauge: runtime.metrics.gauge('pinned_version', 'The version pinned by an operator (rec pin) and served instead of the newest; -1 when none'),
      logger,
    });
    serving = servingWeights;
    weights = new WeightsSubscriber(runtime, {
      layoutHash: policy.network.layoutHash,
      layout: policy.network.layout,
      roles: ['ONLINE'],
      onWeights: ({ version, values }) => {
        servingWeights.onOnline(version, values);
        logger.debug({ version, pinned: servingWeights.pinnedVersion }, 'new weights');
      },
    });
  }
  const recent = new RecentActions(config.explainRecent);
  const requestStates = new RequestStateStore(redis, keys, config.requestStateTtlMs);
  const explainer = new SlateExplainer({
    recent,
    requestStates,
    catalog,
    policy,
    currentWeights: policy instanceof DqnPolicy ? () => policy.network.getWeights() : null,
    history,
    spec: config.model,
    layoutHash: policy instanceof DqnPolicy ? policy.network.layoutHash : '',
  });
  runtime.addRoute('/explain/', (requestId) => explainer.explain(requestId));

  // With SCHEMA_REGISTRY_URL, actions are registered under <topic>-value and written in the registry's format.
  let encodeAction: ((action: RecommendationAction) => Buffer) | undefined;
  const registry = runtime.schemaRegistry;
  if (registry !== null) {
    const schemaId = await runtime.startupStep('register the actions schema', () => registry.register(`${topics.actions}-value`, codecs.action.schema));
    encodeAction = (action) => registryFrame(schemaId, codecs.action.encode(action));
    logger.info({ schemaId, subject: `${topics.actions}-value` }, 'actions in the schema registry wire format');
  }

  const server = new SlateServer({
    encodeAction,
    policy,
    catalog,
    histories: new UserHistoryStore(redis, keys),
    requestStates,
    onServed: (actions) => recent.add(actions),
    alreadyAnswered: (requestId) => recent.has(requestId),
    producer: runtime.producer,
    deadLetters: runtime.deadLetters,
    metrics,
    actionsTopic: topics.actions,
    epsilon: { start: config.epsilonStart, end: config.epsilonEnd, decayDecisions: config.epsilonDecayDecisions },
    decisions: new DecisionCounter(redis, keys, config.common.modelId),
    diversityPenalty: config.diversityPenalty,
    exposureBonus: exposureBonusFor(policy.name, config.exposureBonus),
    random: seededRandom(config.seed ^ process.pid),
    maxRequestAgeMs: config.maxRequestAgeMs,
    slowAnswerLogMs: config.slowAnswerLogMs,
    logger: logger.child({ component: 'slate-server' }),
  });

  await runtime.startupStep('follow the catalog', () => catalogReader.start());
  if (weights !== null) await runtime.startupStep('follow the weights', () => weights!.start());
  if (serving !== null) {
    // A pin (rec pin) takes effect within ACTOR_PIN_POLL_MS; the first read happens before serving.
    const pin = serving;
    await runtime.startupStep('read the pin', () => pin.refresh());
    const poller = setInterval(() => void pin.refresh().catch((error: Error) => logger.warn({ err: error }, 'reading the pin failed; retrying')), config.pinPollMs);
    runtime.onShutdown({ name: 'pin-poller', run: async () => clearInterval(poller) });
  }
  if (policy instanceof PopularityPolicy) await policy.start();
  // Serve only once the catalog is loaded; weights are not awaited: version 0 serves from the first request.
  await catalogReader.caughtUp;
  runtime.addReadiness('catalog', () => catalogReader.ready);

  const consumer = kafka.consumer({
    groupId: `${config.common.topicPrefix}actor`,
    maxWaitTimeInMs: 20,
    ...groupMembership(config.common),
  });
  runtime.onShutdown({ name: 'requests-consumer', run: () => consumer.disconnect() });
  // Ready once the group has placed this member at its positions: a request published after that is answered.
  runtime.addReadiness('requests-consumer', consumerReadiness(consumer));
  const lag = watchConsumerLag({ kafka, metrics: runtime.metrics, logger, groupId: `${config.common.topicPrefix}actor`, topics: [topics.requests] });
  runtime.onShutdown({ name: 'consumer-lag', run: () => lag.stop() });
  runtime.onShutdown({ name: 'catalog-reader', run: () => catalogReader.stop() });
  if (weights !== null) runtime.onShutdown({ name: 'weights-subscriber', run: () => weights!.stop() });
  if (policy instanceof PopularityPolicy) runtime.onShutdown({ name: 'popularity', run: async () => policy.stop() });

  await runtime.startupStep('start the requests consumer', () => runBatchConsumer({
    consumer,
    decoders: { [topics.requests]: (bytes) => validateRequest(codecs.request.decode(bytes)) },
    handle: (records) => server.serve(records),
    deadLetters: runtime.deadLetters,
    metrics: runtime.metrics,
    logger,
    maxChunk: config.maxBatch,
    // A new actor group answers only requests that arrive from now on: old ones have long timed out.
    fromBeginning: startsFromBeginning(config.common, 'latest'),
    health: runtime.consumerHealth,
  }));
  logger.info({ policy: config.policy, catalogItems: catalog.size, backend }, 'actor serving');
  return runtime;
}

function buildPolicy(config: ActorConfig, runtime: ServiceRuntime): ScoringPolicy {
  switch (config.policy) {
    case 'random':
      return new RandomPolicy();
    case 'popularity':
      return new PopularityPolicy(new PopularityStore(runtime.redis, runtime.keys), config.popularityRefreshMs);
    case 'ddqn':
      return new DqnPolicy(new QNetwork(config.model, 'actor'));
  }
}

if (require.main === module) {
  startActor(readActorConfig()).catch((error: Error) => {
    console.error(`actor failed to start: ${error.message}`);
    process.exit(1);
  });
}
