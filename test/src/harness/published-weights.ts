import { codecs, weightsDeltaKey, weightsKey, type ModelWeights, type WeightsRole } from '@rec/shared';
import type { ReceivedMessage } from './kafka-helpers';

/** A record of one role's weights as the parameter server published it: whole, or a delta against a whole one. */
export type PublishedWeights = ModelWeights & { kind: 'full' | 'delta' };

/**
 * A message of the weights topic decoded with the schema its key names: full records under
 * `<modelId>/<role>`, deltas under `<modelId>/<role>/delta`; null for another model's or role's key.
 * Version, learnerProgress and publishedAt read the same in both; `values` is the full weights only in a full one.
 */
export function decodePublishedWeights(key: string | null, value: Buffer | null, modelId: string, role: WeightsRole): PublishedWeights | null {
  if (key === weightsKey(modelId, role)) return { ...codecs.modelWeights.decode(value), kind: 'full' };
  if (key === weightsDeltaKey(modelId, role)) return { ...codecs.modelWeightsDelta.decode(value), kind: 'delta' };
  return null;
}

/** One role's weights records (full and delta) among messages read from the weights topic, in offset order. */
export function publishedWeights(messages: readonly ReceivedMessage[], modelId: string, role: WeightsRole): PublishedWeights[] {
  return messages.flatMap((message) => decodePublishedWeights(message.key, message.value, modelId, role) ?? []);
}
