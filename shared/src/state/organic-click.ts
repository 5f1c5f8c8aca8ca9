import type { UserFeedback } from '../events/contract';
import type { RecommendationRequest } from '../events/contract';

/**
 * An organic click (feedback with no `requestId`: the user found the item by browsing, not in one of our
 * slates) as a learning example, design decision 15. The joiner turns it into one transition for the
 * clicked item and a few for items drawn at random from the catalog with reward 0, all at this slate
 * position and built from this request context, so the network reads "what a browsing user picks" apart
 * from "what a user clicks in our slate": the position term p(ORGANIC_POSITION) absorbs how much more
 * often a browsing click lands than a slate click, and the item's own row learns its appeal from both.
 */
/** The slate position organic examples train at: the last position term (slates of 32 or more share it). */
export const ORGANIC_POSITION = 31;
/** The surface of an organic example's state: none the platform names, so it takes the state's "other" slot. */
export const ORGANIC_SURFACE = 'organic';

/** The request context an organic click's state is built from: its time, no viewed item, no attributes. */
export function organicRequestOf(click: Pick<UserFeedback, 'timestamp'>): Pick<RecommendationRequest, 'timestamp' | 'surface' | 'contextItemId' | 'attributes'> {
  return { timestamp: click.timestamp, surface: ORGANIC_SURFACE, contextItemId: null, attributes: {} };
}
