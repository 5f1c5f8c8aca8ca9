import type { RecommendationAction, RecommendationRequest, UserFeedback } from '@rec/shared';

/** One shown slot of a logged recommendation. */
export interface LoggedSlot {
  itemId: string;
  /** 0-based position, as the action gave it. */
  position: number;
  /** The serving policy's propensity for this item at this position. */
  propensity: number;
  explored: boolean;
  /** What the slot earned: 1 for a click (joinLoggedData: CTR), or the joiner's reward (joinTransitions). */
  reward: number;
}

/** A logged recommendation: the request's context, the action's slate and what each slot earned. */
export interface LoggedRequest {
  requestId: string;
  userId: string;
  timestamp: number;
  surface: string;
  contextItemId: string | null;
  candidateItemIds: string[] | null;
  /** The slate size the request asked for. */
  slateSize: number;
  policy: string;
  /** The serving policy's exploration rate for this request. */
  epsilon: number;
  modelVersion: number;
  /** The state the actor scored the request with (STATE_DIM floats), when the log has it (transitions). */
  state: Float32Array | null;
  slots: LoggedSlot[];
}

/**
 * Joins a run's logged requests, actions and feedback into one record per answered request. The first
 * action per requestId counts (duplicates are dropped). A slot counts only when the platform confirmed
 * showing it (an IMPRESSION naming the request and item); its reward is 1 when a CLICK names both, else 0.
 * Requests without an action are left out; an action whose request was not found keeps a "home" context.
 */
export function joinLoggedData(data: {
  requests: readonly RecommendationRequest[];
  actions: readonly RecommendationAction[];
  feedback: readonly UserFeedback[];
}): LoggedRequest[] {
  const requests = new Map(data.requests.map((request) => [request.requestId, request]));
  const impressions = new Set<string>();
  const clicks = new Set<string>();
  for (const event of data.feedback) {
    if (event.requestId === null) continue;
    const key = `${event.requestId}\u0000${event.itemId}`;
    if (event.type === 'IMPRESSION') impressions.add(key);
    else if (event.type === 'CLICK') clicks.add(key);
  }
  const seen = new Set<string>();
  const logged: LoggedRequest[] = [];
  for (const action of data.actions) {
    if (seen.has(action.requestId)) continue;
    seen.add(action.requestId);
    const request = requests.get(action.requestId);
    const slots = action.items
      .filter((item) => impressions.has(`${action.requestId}\u0000${item.itemId}`))
      .map((item) => ({
        itemId: item.itemId,
        position: item.position,
        propensity: item.propensity,
        explored: item.explored,
        reward: clicks.has(`${action.requestId}\u0000${item.itemId}`) ? 1 : 0,
      }));
    if (slots.length === 0) continue;
    logged.push(loggedRequestOf(action, request, { timestamp: action.timestamp, state: null, slots }));
  }
  return logged.sort((a, b) => a.timestamp - b.timestamp || a.requestId.localeCompare(b.requestId));
}

/**
 * One logged request from its action and (when the log has it) its request: the context, the serving
 * policy, and what the join found (`slots`, the state, the timestamp to fall back on without the request).
 */
export function loggedRequestOf(
  action: RecommendationAction,
  request: RecommendationRequest | undefined,
  found: { timestamp: number; state: Float32Array | null; slots: LoggedSlot[] },
): LoggedRequest {
  return {
    requestId: action.requestId,
    userId: action.userId,
    timestamp: request?.timestamp ?? found.timestamp,
    surface: request?.surface ?? 'home',
    contextItemId: request?.contextItemId ?? null,
    candidateItemIds: request?.candidateItemIds ?? null,
    slateSize: request?.slateSize ?? action.items.length,
    policy: action.policy,
    epsilon: action.epsilon,
    modelVersion: action.modelVersion,
    state: found.state,
    slots: found.slots,
  };
}
