/**
 * The status page's composition root: follows rec.actions.v1, rec.feedback.v1 and the dead-letter topics
 * from now on (a consumer group of its own per process), and serves GET /status (HTML + SVG) and
 * /status.json on its metrics port.
 */
import {
  DLQ_HEADERS,
  ModelControl,
  codecs,
  consumerReadiness,
  dlqTopic,
  readGroupLag,
  startServiceRuntime,
  type RuntimeOptions,
  type ServiceRuntime,
} from '@rec/shared';
import { readStatusPageConfig, type StatusPageConfig } from './config';
export { readStatusPageConfig, type StatusPageConfig } from './config';
import { LiveFigures } from './live-figures';
import { renderStatusPage, type StatusData } from './status-view';

export async function startStatusPage(config: StatusPageConfig, options: RuntimeOptions = {}): Promise<ServiceRuntime> {
  const runtime = await startServiceRuntime('status-page', config.common, options);
  const { logger, kafka, redis, keys, topics } = runtime;
  const figures = new LiveFigures({ bucketMs: config.bucketMs, buckets: config.buckets, recentErrors: config.recentErrors, reward: config.reward });
  const control = new ModelControl(redis, keys, config.common.modelId);
  const groups = [
    { group: `${config.common.topicPrefix}actor`, topics: [topics.requests] },
    { group: `${config.common.topicPrefix}joiner`, topics: [topics.actions, topics.feedback] },
    { group: `${config.common.topicPrefix}learner`, topics: [topics.transitions] },
    { group: `${config.common.topicPrefix}parameter-server`, topics: [topics.modelUpdates] },
  ];
  const admin = kafka.admin();
  await runtime.startupStep('connect admin', () => admin.connect());
  runtime.onShutdown({ name: 'admin', run: () => admin.disconnect() });

  const data = async (): Promise<StatusData> => {
    const now = Date.now();
    const { buckets, errors } = figures.snapshot(now);
    const lag: StatusData['lag'] = [];
    for (const { group, topics: read } of groups) {
      try {
        for (const [topic, messages] of await readGroupLag(admin, group, read)) lag.push({ group, topic, lag: messages });
      } catch {
        for (const topic of read) lag.push({ group, topic, lag: null });
      }
    }
    const published = await redis.hget(keys.modelSnapshot(config.common.modelId), 'version');
    return {
      buckets,
      bucketMs: config.bucketMs,
      errors,
      model: { modelId: config.common.modelId, publishedVersion: published === null ? null : Number(published), pinnedVersion: await control.pinnedVersion() },
      lag,
      topicPrefix: config.common.topicPrefix,
      generatedAt: now,
    };
  };
  runtime.addRoute('/status', async (rest) => {
    if (rest === '.json') return { status: 200, body: await data() };
    if (rest !== '' && rest !== '/') return { status: 404, body: { error: 'try /status or /status.json' } };
    return { status: 200, body: renderStatusPage(await data()), contentType: 'text/html; charset=utf-8' };
  });

  // A group of its own per process, reading from now on: every status page sees every partition.
  const groupId = `${config.common.topicPrefix}status-page-${runtime.instanceId}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  runtime.addReadiness('streams', consumerReadiness(consumer));
  runtime.onShutdown({
    name: 'streams-consumer',
    run: async () => {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    },
  });
  const dlqs = [topics.requests, topics.actions, topics.feedback, topics.catalog, topics.transitions].map(dlqTopic);
  await runtime.startupStep('follow the streams', async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.actions, topics.feedback, ...dlqs], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const now = Date.now();
        try {
          if (topic === topics.actions) figures.recordAction(codecs.action.decode(message.value), now);
          else if (topic === topics.feedback) figures.recordFeedback(codecs.feedback.decode(message.value), now);
          else {
            const header = (name: string) => message.headers?.[name]?.toString() ?? '';
            figures.recordDeadLetter({ topic: header(DLQ_HEADERS.sourceTopic) || topic, reason: header(DLQ_HEADERS.reason), error: header(DLQ_HEADERS.error), service: header(DLQ_HEADERS.service), at: Number(header(DLQ_HEADERS.failedAt)) || now });
          }
        } catch (error) {
          // Not ours to dead-letter: the services that own these topics do. The page just skips it.
          logger.debug({ err: error, topic }, 'skipped a message that does not decode');
        }
      },
    });
  });
  logger.info({ port: runtime.health.port }, `status page on http://127.0.0.1:${runtime.health.port}/status`);
  return runtime;
}

if (require.main === module) {
  startStatusPage(readStatusPageConfig()).catch((error: Error) => {
    console.error(`status-page failed to start: ${error.message}`);
    process.exit(1);
  });
}
