import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from '../events/contract';
import type { ModelUpdate, ModelWeights, ModelWeightsDelta, Transition } from '../events/internal';
import { AvroCodec } from './avro-codec';

/** Every record's codec, compiled once per process. */
export const codecs = {
  // The public topics' records also read the Schema Registry wire format (docs/contract.md).
  request: AvroCodec.fromSchemaFile<RecommendationRequest>('RecommendationRequest', { registryFraming: true }),
  action: AvroCodec.fromSchemaFile<RecommendationAction>('RecommendationAction', { registryFraming: true }),
  feedback: AvroCodec.fromSchemaFile<UserFeedback>('UserFeedback', { registryFraming: true }),
  catalogItem: AvroCodec.fromSchemaFile<CatalogItem>('CatalogItem', { registryFraming: true }),
  transition: AvroCodec.fromSchemaFile<Transition>('Transition'),
  modelUpdate: AvroCodec.fromSchemaFile<ModelUpdate>('ModelUpdate'),
  modelWeights: AvroCodec.fromSchemaFile<ModelWeights>('ModelWeights'),
  modelWeightsDelta: AvroCodec.fromSchemaFile<ModelWeightsDelta>('ModelWeightsDelta'),
} as const;
