import { bytesToFloats, ENCODER_VERSION, type RecommendationAction, type RecommendationRequest, type Transition } from '@rec/shared';
import { loggedRequestOf, type LoggedRequest, type LoggedSlot } from './logged-data';

/**
 * Joins the joiner's transitions (rec.transitions.v1) with the requests and actions they answer into one
 * LoggedRequest per request: the slots are the request's transitions (the shown items the joiner emitted,
 * each with the reward the joiner computed, the same reward the learner trains on), and the request keeps
 * the state the actor scored it with, so a candidate model can rank the request's candidates again.
 *
 * A transition counts once (by transitionId). Requests whose action is not in the log (its policy and
 * epsilon unknown), or whose state another encoder version built, are left out.
 */
export function joinTransitions(data: {
  requests: readonly RecommendationRequest[];
  actions: readonly RecommendationAction[];
  transitions: readonly Transition[];
}): LoggedRequest[] {
  const requests = new Map(data.requests.map((request) => [request.requestId, request]));
  const actions = new Map<string, RecommendationAction>();
  for (const action of data.actions) if (!actions.has(action.requestId)) actions.set(action.requestId, action);
  const seen = new Set<string>();
  const byRequest = new Map<string, Transition[]>();
  for (const transition of data.transitions) {
    if (seen.has(transition.transitionId) || transition.encoderVersion !== ENCODER_VERSION) continue;
    seen.add(transition.transitionId);
    const list = byRequest.get(transition.requestId);
    if (list === undefined) byRequest.set(transition.requestId, [transition]);
    else list.push(transition);
  }
  const logged: LoggedRequest[] = [];
  for (const [requestId, transitions] of byRequest) {
    const action = actions.get(requestId);
    if (action === undefined) continue;
    const request = requests.get(requestId);
    const explored = new Map(action.items.map((item) => [item.itemId, item.explored]));
    const slots: LoggedSlot[] = transitions
      .map((transition) => ({
        itemId: transition.itemId,
        position: transition.position,
        propensity: transition.propensity,
        explored: explored.get(transition.itemId) ?? false,
        reward: transition.reward,
      }))
      .sort((a, b) => a.position - b.position);
    const first = transitions[0];
    logged.push(loggedRequestOf(action, request, { timestamp: first.requestTimestamp, state: bytesToFloats(first.state), slots }));
  }
  return logged.sort((a, b) => a.timestamp - b.timestamp || a.requestId.localeCompare(b.requestId));
}
