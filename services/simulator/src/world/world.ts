import { Prng } from '../random/prng';
import type { SimItem } from './catalog';
import { SimCatalog } from './catalog';
import { CatalogChurn, type CatalogChurnOptions } from './catalog-churn';
import type { OracleSlate } from './oracle';
import type { Scenario } from './scenario';
import type { RequestContext, RewardWeights, UserModel } from './user-model';
import { generateUsers, type SimUser } from './user-population';
import type { OracleFunction, WorldKind } from './world-kind';

export interface WorldOptions {
  seed: number;
  /** Which world (SIM_WORLD): its item design, user behaviour and oracle. */
  kind: WorldKind;
  /** The parameter set (SIM_SCENARIO); the kind overrides what its structure needs. */
  scenario: Scenario;
  catalogSize: number;
  categories: number;
  users: number;
  rewardWeights: RewardWeights;
  churn: CatalogChurnOptions;
  /** Std of the noise on published item features. */
  featureNoise: number;
  /** Std of items' latent offsets from their category centre. */
  itemSpread: number;
}

/**
 * The hidden world from one seed: the catalog (and its churn), the users and the model of how they
 * behave, as the world's kind builds them. Separate random streams per part, so the catalog does not
 * change when the user count does.
 */
export class World {
  readonly kind: WorldKind;
  readonly scenario: Scenario;
  readonly catalog: SimCatalog;
  readonly churn: CatalogChurn;
  readonly users: SimUser[];
  readonly model: UserModel;
  private readonly oracle: OracleFunction;

  constructor(readonly options: WorldOptions) {
    const root = new Prng(options.seed);
    this.kind = options.kind;
    const scenario = options.kind.scenario(options.scenario);
    this.scenario = scenario;
    const design = options.kind.itemDesign(root.fork('item-design'), {
      itemSpread: options.itemSpread,
      featureNoise: options.featureNoise,
      qualityStd: scenario.qualityStd,
      catalogSize: options.catalogSize,
    });
    this.catalog = SimCatalog.generate(root.fork('catalog'), { size: options.catalogSize, categories: options.categories, design }, 0);
    this.churn = new CatalogChurn(this.catalog, root.fork('catalog-churn'), options.churn);
    this.users = generateUsers(root.fork('users'), this.catalog.categories, {
      users: options.users,
      priceSensitivityMean: scenario.priceSensitivityMean,
      firstVisitSpreadMs: scenario.returnGapHours * 3_600_000,
    });
    const behaviour = options.kind.behaviour({
      scenario,
      rewardWeights: options.rewardWeights,
      categories: this.catalog.categories,
      prng: root.fork('behaviour'),
    });
    this.model = behaviour.model;
    this.oracle = behaviour.oracleSlate;
  }

  /** The one-step oracle's slate for a request: the best this world knows from the hidden state. */
  oracleSlate(user: SimUser, context: RequestContext, candidates: readonly SimItem[], slateSize: number, eta: number): OracleSlate {
    return this.oracle(user, context, candidates, slateSize, eta);
  }

  userById(userId: string): SimUser | undefined {
    const index = Number(userId.slice(userId.lastIndexOf('-') + 1));
    const user = this.users[index];
    return user !== undefined && user.userId === userId ? user : undefined;
  }
}
