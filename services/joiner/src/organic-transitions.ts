import { ENCODER_VERSION, ORGANIC_POSITION, floatsToBytes, fnv1a, seededRandom, type LiveCatalog, type Transition, type UserFeedback } from '@rec/shared';

/**
 * The transitions of one organic click (design decision 15): the clicked item with its reward, and
 * `negatives` other available items drawn uniformly at random with reward 0, each at ORGANIC_POSITION,
 * from `state` (the user's state just before the click, built with organicRequestOf) and done (an organic
 * click starts no next step). The negatives stand in for what the browsing user saw and passed over: a
 * click alone would teach only that clicked items are good, never which are better than others. Ids are
 * derived from the event's id, so a redelivered click yields the same transition ids (the learner drops
 * duplicates by transitionId) though its negatives may differ. Empty when the clicked item is unknown.
 */
export function buildOrganicTransitions(
  click: UserFeedback,
  state: Buffer,
  catalog: LiveCatalog,
  options: { reward: number; negatives: number; arrivedAt: number; now: number },
): Transition[] {
  const clicked = catalog.vectorOf(click.itemId);
  if (clicked === undefined) return [];
  const requestId = `organic:${click.eventId}`;
  const transition = (itemId: string, vector: Float32Array, reward: number): Transition => ({
    transitionId: `${requestId}/${itemId}`,
    userId: click.userId,
    requestId,
    itemId,
    position: ORGANIC_POSITION,
    encoderVersion: ENCODER_VERSION,
    state,
    itemFeatures: Buffer.from(floatsToBytes(vector)),
    reward,
    nextState: null,
    done: true,
    nextRequestId: null,
    slateReward: null,
    propensity: 1,
    modelVersion: 0,
    // Arrival time (the Kafka record's), as the slates' transitions carry: freshness is measured on it.
    requestTimestamp: options.arrivedAt,
    lastFeedbackTimestamp: options.arrivedAt,
    emittedAt: options.now,
  });
  const transitions = [transition(click.itemId, clicked, options.reward)];
  const { ids } = catalog.available();
  const random = seededRandom(fnv1a(click.eventId));
  const drawn = new Set([click.itemId]);
  // Distinct items other than the clicked one; a few extra draws cover a catalog of one or two items.
  for (let attempt = 0; transitions.length <= options.negatives && attempt < options.negatives * 4; attempt += 1) {
    const itemId = ids[Math.floor(random() * ids.length)];
    if (itemId === undefined || drawn.has(itemId)) continue;
    drawn.add(itemId);
    const vector = catalog.vectorOf(itemId);
    if (vector !== undefined) transitions.push(transition(itemId, vector, 0));
  }
  const slateReward = options.reward / transitions.length;
  for (const entry of transitions) entry.slateReward = slateReward;
  return transitions;
}
