import { latentItemDesign } from './latent-item-design';
import { oracleSlate } from './oracle';
import { UserModel } from './user-model';
import type { WorldKind } from './world-kind';

/**
 * SIM_WORLD=latent, the default: the world the project was built with, read top to bottom in
 * user-model.ts (utility, funnel, dynamics), choice-model.ts (position bias) and oracle.ts (the exact
 * top-k oracle). Published features are the items' latent vectors plus a little noise: the recommender
 * sees the space the users' tastes act on. SIM_SCENARIO picks its parameter set (default,
 * session-dynamics, static).
 */
export const latentWorld: WorldKind = {
  name: 'latent',
  summary: 'published features = the latent vectors users score (plus noise); SIM_SCENARIO picks the dynamics',
  churnDefaults: {},
  scenario: (base) => base,
  itemDesign: (_prng, inputs) => latentItemDesign(inputs),
  behaviour: ({ scenario, rewardWeights, categories }) => {
    const model = new UserModel(scenario, rewardWeights, categories);
    return { model, oracleSlate: (user, context, candidates, slateSize, eta) => oracleSlate(model, user, context, candidates, slateSize, eta) };
  },
};
