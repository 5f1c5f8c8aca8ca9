import type { CatalogItem, RecommendationAction, RecommendationRequest, UserFeedback } from '../events/contract';
import type { ModelUpdate, ModelWeights, Transition } from '../events/internal';
import { AvroCodec } from './avro-codec';

/** Every record's codec, compiled once per process. */
export const codecs = {
  request: AvroCodec.fromSchemaFile<RecommendationRequest>('RecommendationRequest'),
  action: AvroCodec.fromSchemaFile<RecommendationAction>('RecommendationAction'),
  feedback: AvroCodec.fromSchemaFile<UserFeedback>('UserFeedback'),
  catalogItem: AvroCodec.fromSchemaFile<CatalogItem>('CatalogItem'),
  transition: AvroCodec.fromSchemaFile<Transition>('Transition'),
  modelUpdate: AvroCodec.fromSchemaFile<ModelUpdate>('ModelUpdate'),
  modelWeights: AvroCodec.fromSchemaFile<ModelWeights>('ModelWeights'),
} as const;
