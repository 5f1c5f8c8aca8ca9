import type { Prng } from '../random/prng';
import type { Category, SimItem } from './catalog';
import type { CatalogChurnOptions } from './catalog-churn';
import type { ItemDesign } from './item-design';
import type { OracleSlate } from './oracle';
import type { Scenario } from './scenario';
import type { RequestContext, RewardWeights, UserModel } from './user-model';
import type { SimUser } from './user-population';

/** The one-step oracle of a world: the best slate it knows for this request, from the hidden state. */
export type OracleFunction = (user: SimUser, context: RequestContext, candidates: readonly SimItem[], slateSize: number, eta: number) => OracleSlate;

/** What a world's item design is built from. */
export interface ItemDesignInputs {
  /** SIM_ITEM_SPREAD: std of items' latent offsets from their category centre. */
  itemSpread: number;
  /** SIM_FEATURE_NOISE: std of the noise on published features. */
  featureNoise: number;
  /** The scenario's quality std (the world's scenario, after its overrides). */
  qualityStd: number;
  /** Items in the initial catalog. */
  catalogSize: number;
}

/** What a world's behaviour is built from. */
export interface BehaviourInputs {
  scenario: Scenario;
  rewardWeights: RewardWeights;
  categories: readonly Category[];
  /** The world's own stream for whatever its behaviour draws once (trends, ...). */
  prng: Prng;
}

/**
 * A kind of hidden world (SIM_WORLD): what differs in STRUCTURE from one world to another, each kind in
 * its own file, documented top to bottom. Every kind talks to the recommender only through the public
 * contract; the World puts a kind together with a seed, a scenario and the sizes.
 */
export interface WorldKind {
  /** The SIM_WORLD value. */
  readonly name: string;
  /** One line: what is different about this world. */
  readonly summary: string;
  /** Catalog-churn settings this world changes from the SIM_* defaults; an explicitly set variable wins. */
  readonly churnDefaults: Readonly<Partial<CatalogChurnOptions>>;
  /** This world's parameters, over those of the SIM_SCENARIO. */
  scenario(base: Scenario): Scenario;
  /** How its items are drawn and what of them is published. */
  itemDesign(prng: Prng, inputs: ItemDesignInputs): ItemDesign;
  /** How its users behave, and its oracle (which knows the hidden utility). */
  behaviour(inputs: BehaviourInputs): { model: UserModel; oracleSlate: OracleFunction };
}
