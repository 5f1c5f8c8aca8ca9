import type { RecommendationAction, RecommendationRequest } from '@rec/shared';
import type { Prng } from '../random/prng';
import type { World } from '../world/world';

/**
 * An in-process stand-in for a `random` actor: a uniformly random slate of available items, each with
 * propensity 1 / N (N available items). For tests and experiments that run without Kafka.
 */
export function uniformRandomPolicy(world: World, prng: Prng): (request: RecommendationRequest) => RecommendationAction {
  return (request) => {
    const available = world.catalog.available();
    const picks = prng.sampleIndices(available.length, request.slateSize);
    return {
      requestId: request.requestId,
      userId: request.userId,
      timestamp: request.timestamp + 1,
      items: picks.map((index, position) => ({
        itemId: available[index].itemId,
        position,
        score: 0,
        propensity: 1 / available.length,
        explored: true,
      })),
      modelVersion: 0,
      epsilon: 1,
      policy: 'random',
    };
  };
}
