import type { Redis } from 'ioredis';
import { FEEDBACK_TYPES, UserHistoryStore, codecs, seededRandom, type BatchingProducer, type RecommendationRequest, type RedisKeys } from '@rec/shared';
import { sleep } from '../harness';

/** A whole-catalog request (no candidate list, no viewed item), slate 10, stamped with `timestamp`. */
export function benchRequest(requestId: string, userId: string, timestamp: number, slateSize = 10): RecommendationRequest {
  return { requestId, userId, timestamp, surface: 'home', contextItemId: null, candidateItemIds: null, slateSize, attributes: { device: 'mobile', locale: 'en-GB' } };
}

/** Gives `users` users (`user-<n>`) a history of `entries` interactions with random catalog items, as the joiner would have. */
export async function seedHistories(redis: Redis, keys: RedisKeys, users: number, entries: number, catalogSize: number): Promise<void> {
  const store = new UserHistoryStore(redis, keys);
  const random = seededRandom(17);
  const now = Date.now();
  for (let first = 0; first < users; first += 500) {
    const batch = [];
    for (let user = first; user < Math.min(users, first + 500); user += 1) {
      for (let entry = 0; entry < entries; entry += 1) {
        batch.push({
          userId: `user-${user}`,
          itemId: `item-${Math.floor(random() * catalogSize)}`,
          type: FEEDBACK_TYPES[random() < 0.8 ? 0 : 1 + Math.floor(random() * 3)],
          timestamp: now - (entries - entry) * 60_000,
        });
      }
    }
    await store.append(batch);
  }
}

/** Produces `count` requests `<prefix>-<n>` from `users` users as fast as the producer takes them; resolves when all are acknowledged. */
export async function produceRequests(producer: BatchingProducer, topic: string, count: number, prefix: string, users: number, slateSize = 10): Promise<void> {
  for (let first = 0; first < count; first += 5_000) {
    const now = Date.now();
    const messages = [];
    for (let index = first; index < Math.min(count, first + 5_000); index += 1) {
      const request = benchRequest(`${prefix}-${index}`, `user-${index % users}`, now, slateSize);
      messages.push({ key: request.userId, value: codecs.request.encode(request) });
    }
    await producer.sendAll(topic, messages);
  }
}

/**
 * Offers requests at a fixed rate for a while, whatever happens downstream (an open-loop load: a slow
 * server does not slow the offer). Each request's `timestamp` is its send time. Calls `onSent` per request.
 */
export async function offerSteadyLoad(options: {
  producer: BatchingProducer;
  topic: string;
  ratePerSec: number;
  durationMs: number;
  prefix: string;
  users: number;
  slateSize?: number;
  onSent?: (request: RecommendationRequest) => void;
  /** Picks the user of the n-th request (default round robin over `users`). */
  userOf?: (index: number) => string;
}): Promise<{ sent: number; failed: number }> {
  const { producer, topic, ratePerSec, durationMs, prefix, users } = options;
  const userOf = options.userOf ?? ((index: number) => `user-${index % users}`);
  const started = Date.now();
  let sent = 0;
  let failed = 0;
  const pending = new Set<Promise<void>>();
  while (Date.now() - started < durationMs) {
    const due = Math.floor(((Date.now() - started) * ratePerSec) / 1000);
    const now = Date.now();
    const messages = [];
    while (sent < due) {
      const request = benchRequest(`${prefix}-${sent}`, userOf(sent), now, options.slateSize);
      options.onSent?.(request);
      messages.push({ key: request.userId, value: codecs.request.encode(request) });
      sent += 1;
    }
    if (messages.length > 0) {
      const send = producer.sendAll(topic, messages).catch(() => void (failed += messages.length));
      pending.add(send);
      void send.finally(() => pending.delete(send));
    }
    await sleep(2);
  }
  await Promise.all(pending);
  return { sent, failed };
}
