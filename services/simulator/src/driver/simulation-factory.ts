import type { SimulatorConfig } from '../config';
import { SessionSimulator } from './session-simulator';
import { VirtualClock } from './virtual-clock';
import { scenarioByName } from '../world/scenario';
import { World } from '../world/world';
import { worldKindByName } from '../world/world-kinds';

/** Builds the hidden world and the session simulator a config describes (shared by main and tests). */
export function createSimulation(config: SimulatorConfig): { world: World; simulator: SessionSimulator } {
  const world = new World({
    seed: config.seed,
    kind: worldKindByName(config.world),
    scenario: scenarioByName(config.scenario),
    catalogSize: config.catalogSize,
    categories: config.categories,
    users: config.users,
    rewardWeights: {
      click: config.rewardClick,
      addToCart: config.rewardAddToCart,
      purchase: config.rewardPurchase,
      purchaseValue: config.rewardPurchaseValue,
    },
    churn: {
      updateEveryRequests: config.catalogUpdateEvery,
      stockoutsPer1000Requests: config.stockoutsPer1000Requests,
      restockAfterRequests: config.restockAfterRequests,
      newItemsPer1000Requests: config.newItemsPer1000Requests,
    },
    featureNoise: config.featureNoise,
    itemSpread: config.itemSpread,
  });
  const clock = new VirtualClock(config.startTimeMs, config.startHour, config.clock);
  const simulator = new SessionSimulator(world, clock, {
    runId: config.runId,
    slateSize: config.slateSize,
    organicEventsPerRequest: config.organicEventsPerRequest,
    organicCandidates: 30,
  });
  return { world, simulator };
}
