import { floatsToBytes, type LiveCatalog, type RecommendationAction, type Transition, type UserFeedback } from '@rec/shared';
import type { JoinerConfig } from '@rec/joiner';
import type { PendingRequest } from '@rec/joiner/dist/pending-request-store';
import { rewardOf } from '@rec/joiner/dist/reward-function';
import { buildOrganicTransitions } from '@rec/joiner/dist/organic-transitions';
import { buildTransitions } from '@rec/joiner/dist/transition-builder';

interface Pending extends PendingRequest {
  state: Buffer;
  requestTimestamp: number;
  next: { requestId: string; state: Buffer } | null;
  /** Arrival time at which the request is emitted: join wait after the next request, or the session timeout. */
  dueAt: number;
}

/**
 * The joiner's semantics in process memory (the service keeps the same state in Redis with Lua scripts):
 * feedback naming a request within the reward wait adds its reward; a request's transitions are built
 * by the joiner's own transition builder `joinWaitMs` after the user's next request fixed the next state,
 * or, with no next request, at the session timeout (done); a next request stamped more than the session
 * timeout after the previous one on the platform's clock starts a new session (done). Waits run on
 * arrival time. Every feedback event also updates the user's history (through `onFeedback`).
 */
export class InMemoryJoiner {
  private readonly pendingByRequest = new Map<string, Pending>();
  private readonly newestByUser = new Map<string, Pending>();
  private readonly reward: { weights: JoinerConfig['rewardWeights']; valueWeight: number };

  constructor(
    private readonly config: JoinerConfig,
    private readonly catalog: LiveCatalog,
    private readonly emit: (transitions: Transition[], now: number) => void,
  ) {
    this.reward = { weights: config.rewardWeights, valueWeight: config.rewardValueWeight };
  }

  get pendingRequests(): number {
    return this.pendingByRequest.size;
  }

  /** An action as it arrives, with the state the actor recorded for its request. */
  recordAction(action: RecommendationAction, state: Float32Array, requestTimestamp: number, arrivedAt: number): void {
    if (action.items.length === 0 || this.pendingByRequest.has(action.requestId)) return;
    const pending: Pending = {
      requestId: action.requestId,
      userId: action.userId,
      servedAt: arrivedAt,
      modelVersion: action.modelVersion,
      items: action.items.map(({ itemId, position, propensity }) => ({ itemId, position, propensity })),
      nextRequestId: null,
      rewards: new Map(),
      impressions: new Set(),
      lastFeedbackAt: null,
      state: Buffer.from(floatsToBytes(state)),
      requestTimestamp,
      next: null,
      dueAt: arrivedAt + this.config.sessionTimeoutMs,
    };
    const previous = this.newestByUser.get(action.userId);
    if (previous !== undefined && previous.next === null && this.pendingByRequest.has(previous.requestId)) {
      if (requestTimestamp - previous.requestTimestamp > this.config.sessionTimeoutMs) previous.dueAt = arrivedAt;
      else {
        previous.next = { requestId: action.requestId, state: pending.state };
        previous.nextRequestId = action.requestId;
        previous.dueAt = arrivedAt + this.config.joinWaitMs;
      }
    }
    this.pendingByRequest.set(action.requestId, pending);
    this.newestByUser.set(action.userId, pending);
  }

  /** One feedback event as it arrives; returns its reward when it counted for a pending request. */
  foldFeedback(feedback: UserFeedback, arrivedAt: number): number | null {
    if (feedback.requestId === null) return null;
    const pending = this.pendingByRequest.get(feedback.requestId);
    if (pending === undefined || arrivedAt - pending.servedAt > this.config.rewardWaitMs) return null;
    const reward = rewardOf(feedback, this.reward);
    pending.rewards.set(feedback.itemId, (pending.rewards.get(feedback.itemId) ?? 0) + reward);
    if (feedback.type === 'IMPRESSION') pending.impressions.add(feedback.itemId);
    pending.lastFeedbackAt = arrivedAt;
    return reward;
  }

  /**
   * An organic click (no requestId) with the user's state just before it: emitted at once as the clicked
   * item and JOINER_ORGANIC_NEGATIVES random items (nothing when that is 0, or for other feedback).
   */
  recordOrganicClick(click: UserFeedback, state: Float32Array, now: number): void {
    if (this.config.organicNegatives === 0 || click.requestId !== null || click.type !== 'CLICK') return;
    const transitions = buildOrganicTransitions(click, Buffer.from(floatsToBytes(state)), this.catalog, {
      reward: rewardOf(click, this.reward),
      negatives: this.config.organicNegatives,
      arrivedAt: now,
      now,
    });
    if (transitions.length > 0) this.emit(transitions, now);
  }

  /** Emits every request due at `now`. */
  sweep(now: number): void {
    const due: Pending[] = [];
    for (const pending of this.pendingByRequest.values()) if (pending.dueAt <= now) due.push(pending);
    for (const pending of due) {
      this.pendingByRequest.delete(pending.requestId);
      if (this.newestByUser.get(pending.userId) === pending) this.newestByUser.delete(pending.userId);
      const transitions = buildTransitions(pending, pending.state, pending.next, this.catalog, { requireImpression: this.config.requireImpression, now });
      if (transitions.length > 0) this.emit(transitions, now);
    }
  }
}
