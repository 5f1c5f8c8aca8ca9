import { Prng } from '../random/prng';
import { SimCatalog } from './catalog';
import { CatalogChurn, type CatalogChurnOptions } from './catalog-churn';
import type { Scenario } from './scenario';
import { UserModel, type RewardWeights } from './user-model';
import { generateUsers, type SimUser } from './user-population';

export interface WorldOptions {
  seed: number;
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
 * behave. Separate random streams per part, so the catalog does not change when the user count does.
 */
export class World {
  readonly catalog: SimCatalog;
  readonly churn: CatalogChurn;
  readonly users: SimUser[];
  readonly model: UserModel;

  constructor(readonly options: WorldOptions) {
    const root = new Prng(options.seed);
    const { scenario } = options;
    this.catalog = SimCatalog.generate(
      root.fork('catalog'),
      {
        size: options.catalogSize,
        categories: options.categories,
        itemSpread: options.itemSpread,
        featureNoise: options.featureNoise,
        qualityStd: scenario.qualityStd,
      },
      0,
    );
    this.churn = new CatalogChurn(this.catalog, root.fork('catalog-churn'), options.churn);
    this.users = generateUsers(root.fork('users'), this.catalog.categories, {
      users: options.users,
      priceSensitivityMean: scenario.priceSensitivityMean,
      firstVisitSpreadMs: scenario.returnGapHours * 3_600_000,
    });
    this.model = new UserModel(scenario, options.rewardWeights, this.catalog.categories);
  }

  userById(userId: string): SimUser | undefined {
    const index = Number(userId.slice(userId.lastIndexOf('-') + 1));
    const user = this.users[index];
    return user !== undefined && user.userId === userId ? user : undefined;
  }
}
