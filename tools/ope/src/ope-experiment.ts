import {
  DEFAULT_REWARD_WEIGHTS,
  dot,
  examinationProbability,
  Prng,
  sampleSlateOutcome,
  scenarioByName,
  SURFACES,
  World,
  latentWorld,
  type RequestContext,
  type SimItem,
  type SimUser,
} from '@rec/simulator';
import { epsilonGreedyMarginals } from '@rec/shared';
import { sampleEpsilonGreedySlate } from './epsilon-greedy-marginals';
import { estimateOffPolicy, meanEstimate, type Estimate, type LoggedUnit, type OffPolicyEstimate } from './estimators';

/**
 * An end-to-end check of off-policy evaluation on the simulator's own user model, in-process:
 *
 *   1. log `loggedRequests` requests served by a per-position epsilon-greedy policy (greedy order: a
 *      context-blind taste match on the published features), with exact marginal propensities, and the
 *      clicks the hidden model draws for them;
 *   2. estimate a target policy's click rate per slot from that log with IPS and SNIPS;
 *   3. run the target policy itself on `truthRequests` fresh requests from the same context
 *      distribution and measure its click rate per slot (from the hidden model's expected clicks,
 *      and from sampled clicks).
 *
 * Contexts are drawn independently per request (a random user in its resting state, a random surface
 * and hour), so the context distribution does not depend on the policy and the on-policy run measures
 * exactly what the log estimates.
 */
export interface OpeExperimentOptions {
  seed: number;
  /** 'static' keeps users' states fixed between requests. */
  scenario: string;
  catalogSize: number;
  categories: number;
  users: number;
  slateSize: number;
  /** Exploration rate of the logging policy. */
  epsilon: number;
  loggedRequests: number;
  truthRequests: number;
}

export const EXPERIMENT_TARGETS = ['uniform-random', 'quality-by-category'] as const;
/** uniform-random: a uniformly random slate. quality-by-category: deterministic; on a product page the
 * viewed item's category first, each group by hidden quality (a stand-in for popularity). */
export type ExperimentTarget = (typeof EXPERIMENT_TARGETS)[number];

export interface OpeExperimentResult {
  target: ExperimentTarget;
  /** The estimate of the target's CTR per slot from the log. */
  estimate: OffPolicyEstimate;
  /** The same, per position. */
  perPosition: OffPolicyEstimate[];
  /** The target's on-policy CTR per slot: mean expected clicks per slot under the hidden model. */
  truth: Estimate;
  truthPerPosition: Estimate[];
  /** The target's on-policy CTR per slot from sampled clicks. */
  sampledTruth: Estimate;
  /** The logging policy's own CTR per slot in the log. */
  loggingCtr: number;
}

interface Context {
  user: SimUser;
  request: RequestContext;
  eta: number;
}

export function runOpeExperiment(options: OpeExperimentOptions, target: ExperimentTarget): OpeExperimentResult {
  const world = new World({
    seed: options.seed,
    kind: latentWorld,
    scenario: scenarioByName(options.scenario),
    catalogSize: options.catalogSize,
    categories: options.categories,
    users: options.users,
    rewardWeights: DEFAULT_REWARD_WEIGHTS,
    churn: { updateEveryRequests: 0, stockoutsPer1000Requests: 0, restockAfterRequests: 0, newItemsPer1000Requests: 0 },
    featureNoise: 0.05,
    itemSpread: 0.6,
  });
  const root = new Prng(options.seed).fork('ope-experiment');
  const candidates = world.catalog.available();
  const k = Math.min(options.slateSize, candidates.length);
  const marginals = epsilonGreedyMarginals(candidates.length, k, options.epsilon);
  const targetSlate = target === 'quality-by-category' ? qualityByCategory(candidates, k) : null;
  const targetProbability = (context: Context, item: SimItem, position: number): number =>
    targetSlate === null ? 1 / candidates.length : Number(targetSlate(context)[position] === item);

  // 1. The log.
  const logPrng = root.fork('log');
  const units: LoggedUnit[] = [];
  const byPosition: LoggedUnit[][] = Array.from({ length: k }, () => []);
  let loggedClicks = 0;
  for (let request = 0; request < options.loggedRequests; request += 1) {
    const context = drawContext(world, logPrng);
    const greedyOrder = loggingOrder(context, candidates);
    const { ranks } = sampleEpsilonGreedySlate(logPrng, candidates.length, k, options.epsilon);
    const slate = ranks.map((rank) => greedyOrder[rank]);
    const outcomes = sampleSlateOutcome(logPrng, valuesOf(world, context, slate), context.eta);
    const unit = slate.map((item, position) => ({
      reward: outcomes[position].clicked ? 1 : 0,
      loggingPropensity: marginals.of(ranks[position], position),
      targetProbability: targetProbability(context, item, position),
    }));
    units.push(unit);
    unit.forEach((sample, position) => byPosition[position].push([sample]));
    loggedClicks += unit.reduce((sum, sample) => sum + sample.reward, 0);
  }

  // 3. The target on its own requests.
  const truthPrng = root.fork('truth');
  const expectedCtr: number[] = [];
  const sampledCtr: number[] = [];
  const expectedAtPosition: number[][] = Array.from({ length: k }, () => []);
  for (let request = 0; request < options.truthRequests; request += 1) {
    const context = drawContext(world, truthPrng);
    const slate =
      targetSlate === null ? truthPrng.sampleIndices(candidates.length, k).map((index) => candidates[index]) : targetSlate(context);
    const values = valuesOf(world, context, slate);
    const expected = values.map((value, position) => examinationProbability(position, context.eta) * value.clickProbability);
    expected.forEach((value, position) => expectedAtPosition[position].push(value));
    expectedCtr.push(expected.reduce((sum, value) => sum + value, 0) / k);
    const outcomes = sampleSlateOutcome(truthPrng, values, context.eta);
    sampledCtr.push(outcomes.filter((outcome) => outcome.clicked).length / k);
  }

  return {
    target,
    estimate: estimateOffPolicy(units),
    perPosition: byPosition.map((slots) => estimateOffPolicy(slots)),
    truth: meanEstimate(expectedCtr),
    truthPerPosition: expectedAtPosition.map((values) => meanEstimate(values)),
    sampledTruth: meanEstimate(sampledCtr),
    loggingCtr: loggedClicks / (options.loggedRequests * k),
  };
}

/** A random user in its resting state, a random surface (a random viewed item on product pages), a random hour. */
function drawContext(world: World, prng: Prng): Context {
  const user = prng.pick(world.users);
  const surface = prng.pick(SURFACES);
  const categories = world.catalog.categories;
  const request: RequestContext = {
    surface,
    contextItem: surface === 'product' ? prng.pick(world.catalog.available()) : null,
    searchIntent: surface === 'search' ? categories[prng.weightedIndex(categories.map((category) => Math.exp(4 * dot(user.taste, category.center))))] : null,
    localHour: prng.uniform(0, 24),
    virtualTime: 0,
  };
  return { user, request, eta: world.model.positionBias(user) };
}

/** The logging policy's greedy order: the user's core taste against the published features, best first. */
function loggingOrder(context: Context, candidates: readonly SimItem[]): SimItem[] {
  const scored = candidates.map((item) => ({ item, score: dot(context.user.coreTaste, item.features) }));
  scored.sort((a, b) => b.score - a.score || a.item.index - b.item.index);
  return scored.map((entry) => entry.item);
}

/** The deterministic target: on a product page the viewed item's category first; each group by quality. */
function qualityByCategory(candidates: readonly SimItem[], slateSize: number): (context: Context) => SimItem[] {
  const byQuality = [...candidates].sort((a, b) => b.quality - a.quality || a.index - b.index);
  const cache = new Map<string, SimItem[]>();
  return (context) => {
    const viewed = context.request.contextItem;
    const key = viewed === null ? '' : viewed.category.name;
    let slate = cache.get(key);
    if (slate === undefined) {
      const first = viewed === null ? [] : byQuality.filter((item) => item.category === viewed.category);
      const rest = byQuality.filter((item) => !first.includes(item));
      slate = [...first, ...rest].slice(0, slateSize);
      cache.set(key, slate);
    }
    return slate;
  };
}

function valuesOf(world: World, context: Context, slate: readonly SimItem[]) {
  const terms = world.model.categoryTerms(context.user, context.request);
  return slate.map((item) => world.model.itemValue(context.user, context.request, item, terms));
}
