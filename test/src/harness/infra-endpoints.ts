/**
 * Where the tests find Kafka and Redis: KAFKA_BROKERS / REDIS_URL when set, else the local ports that
 * infra/bin/up uses (KAFKA_PORT, default 9092; REDIS_PORT, default 6379), so a CI run on other ports
 * only has to export those.
 */

/** Kafka bootstrap servers, comma-separated, as a service reads them from KAFKA_BROKERS. */
export function kafkaBrokers(): string {
  return process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
}

/** The Redis URL, as a service reads it from REDIS_URL. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? `redis://127.0.0.1:${process.env.REDIS_PORT ?? '6379'}`;
}
