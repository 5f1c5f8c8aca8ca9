/**
 * Creates or updates every topic of the list in shared/src/kafka/topics.ts. Run by infra/bin/up;
 * services run the same at start. Honors KAFKA_BROKERS and TOPIC_PREFIX.
 */
import { readCommonConfig } from '../config/common-config';
import { ensureTopics } from '../kafka/ensure-topics';
import { createKafka } from '../kafka/kafka-client';
import { kafkaSecurity } from '../kafka/kafka-security';
import { topicNames, topicSpecs } from '../kafka/topics';
import { createLogger } from '../logging/logger';

async function main(): Promise<void> {
  const config = readCommonConfig();
  const logger = createLogger('ensure-topics', process.env.LOG_LEVEL ?? 'warn');
  const admin = createKafka({ clientId: 'ensure-topics', brokers: config.kafkaBrokers, logger, security: kafkaSecurity(config) }).admin();
  await admin.connect();
  try {
    const specs = topicSpecs(topicNames(config.topicPrefix));
    const result = await ensureTopics(admin, specs);
    console.log(`topics: ${specs.length} declared, ${result.created.length} created, ${result.updated.length} updated`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`ensure-topics failed: ${error.message}`);
  process.exit(1);
});
