import { ENCODER_VERSION, ITEM_DIM, STATE_DIM, codecs, encodeItem, floatsToBytes, seededRandom, type BatchingProducer, type CatalogItem, type Transition } from '@rec/shared';

/**
 * Produces `count` random but valid transitions over `catalog` to rec.transitions.v1 (as a joiner would:
 * keyed by userId, one in ten done), `lastFeedbackTimestamp` now. Resolves when all are acknowledged.
 */
export async function produceTransitions(producer: BatchingProducer, topic: string, catalog: readonly CatalogItem[], count: number, prefix: string): Promise<void> {
  const random = seededRandom(23);
  const vectors = catalog.map((item) => Buffer.from(floatsToBytes(encodeItem(item))));
  const stateBytes = () => Buffer.from(floatsToBytes(Float32Array.from({ length: STATE_DIM }, () => random())));
  for (let first = 0; first < count; first += 2_000) {
    const now = Date.now();
    const messages = [];
    for (let index = first; index < Math.min(count, first + 2_000); index += 1) {
      const item = Math.floor(random() * catalog.length);
      const done = random() < 0.1;
      const transition: Transition = {
        transitionId: `${prefix}-${index}/${catalog[item].itemId}`,
        userId: `user-${index % 1_000}`,
        requestId: `${prefix}-${index}`,
        itemId: catalog[item].itemId,
        position: index % 10,
        encoderVersion: ENCODER_VERSION,
        state: stateBytes(),
        itemFeatures: vectors[item],
        reward: random() < 0.1 ? 1 : 0,
        nextState: done ? null : stateBytes(),
        done,
        // user-(index % 1,000)'s next request is index + 1,000: each user's transitions chain (n-step returns).
        nextRequestId: done ? null : `${prefix}-${index + 1_000}`,
        slateReward: 0.1,
        propensity: 0.5,
        modelVersion: 0,
        requestTimestamp: now,
        lastFeedbackTimestamp: now,
        emittedAt: now,
      };
      messages.push({ key: transition.userId, value: codecs.transition.encode(transition) });
    }
    await producer.sendAll(topic, messages);
  }
}

/** Bytes of one transition's vectors as the replay stream carries them (state, next state, item features). */
export const TRANSITION_VECTOR_BYTES = (2 * STATE_DIM + ITEM_DIM) * 4;
