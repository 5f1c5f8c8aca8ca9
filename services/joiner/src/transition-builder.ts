import { ENCODER_VERSION, floatsToBytes, type LiveCatalog, type Transition } from '@rec/shared';
import type { PendingRequest } from './pending-request-store';

/**
 * Turns one pending request into transitions, one per shown item: (s, a, r, s', done) with the
 * propensity and model version. `state` is what the actor built at the request; `next` the user's next
 * request in the same session and the state the actor built there, or null when the session timed out
 * (done). With `requireImpression`, only items whose impression the platform confirmed are kept. Items
 * unknown to the catalog are skipped. Every transition also carries the mean reward of the emitted slate
 * and the next request's id, which is all a learner needs to chain a user's steps into n-step returns.
 */
export function buildTransitions(
  pending: PendingRequest,
  state: Buffer,
  next: { requestId: string; state: Buffer } | null,
  catalog: LiveCatalog,
  options: { requireImpression: boolean; now: number },
): Transition[] {
  const transitions: Transition[] = [];
  const nextState = next?.state ?? null;
  for (const item of pending.items) {
    if (options.requireImpression && !pending.impressions.has(item.itemId)) continue;
    const vector = catalog.vectorOf(item.itemId);
    if (vector === undefined) continue;
    transitions.push({
      transitionId: `${pending.requestId}/${item.itemId}`,
      userId: pending.userId,
      requestId: pending.requestId,
      itemId: item.itemId,
      position: item.position,
      encoderVersion: ENCODER_VERSION,
      state,
      itemFeatures: Buffer.from(floatsToBytes(vector)),
      reward: pending.rewards.get(item.itemId) ?? 0,
      nextState,
      done: next === null,
      nextRequestId: next?.requestId ?? null,
      slateReward: null,
      propensity: item.propensity,
      modelVersion: pending.modelVersion,
      requestTimestamp: pending.servedAt,
      lastFeedbackTimestamp: pending.lastFeedbackAt,
      emittedAt: options.now,
    });
  }
  const slateReward = transitions.reduce((sum, transition) => sum + transition.reward, 0) / transitions.length;
  for (const transition of transitions) transition.slateReward = slateReward;
  return transitions;
}
