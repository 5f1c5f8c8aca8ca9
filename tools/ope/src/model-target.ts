import { encodeItem, epsilonGreedyMarginals, ITEM_DIM, topIndices, type CatalogItem, type SlateMarginals } from '@rec/shared';
import { itemRowsOf, tf, type ExportMetadata } from '@rec/shared/model';
import type { RewardModel } from './item-position-reward-model';
import type { LoggedRequest } from './logged-data';
import type { TargetPolicy } from './target-policies';

/**
 * A candidate Q-model as a target policy: a TensorFlow.js LayersModel in the format `rec export` writes
 * (inputs `state`, `item` and, with per-item rows, `itemRow`; output Q), served as the actors serve it: the
 * request's candidates (the available catalog, or its candidateItemIds, never the viewed item) ranked by
 * Q for the state the actor logged, then a per-position epsilon-greedy slate with exploration `epsilon`.
 * P(item at position k) is the exact marginal of its greedy rank (epsilonGreedyMarginals, the code the
 * actors log propensities with), so on a log the same model served with the same epsilon every
 * importance weight is 1.
 *
 * The candidates come from one catalog snapshot (the log's latest), not the catalog each request saw; an
 * actor with ACTOR_DIVERSITY_PENALTY > 0 reorders its greedy order, which this target does not.
 */
export function modelTarget(options: { name: string; model: tf.LayersModel; catalog: readonly CatalogItem[]; epsilon: number; requests: readonly LoggedRequest[] }): TargetPolicy {
  const { model, epsilon } = options;
  const available = options.catalog.filter((item) => item.available);
  const ids = available.map((item) => item.itemId);
  const rowOf = new Map(ids.map((itemId, row) => [itemId, row]));
  const vectors = new Float32Array(ids.length * ITEM_DIM);
  available.forEach((item, row) => encodeItem(item, vectors, row * ITEM_DIM));
  const ranked = new Map<string, Ranking>();
  const inputs = modelInputs(model, vectors, ids.length);
  try {
    for (const request of options.requests) {
      const state = request.state;
      if (state === null) throw new Error(`request ${request.requestId} has no logged state: a model is evaluated on the joiner's transitions`);
      const q = tf.tidy(() => model.predict([tf.tile(tf.tensor2d(state, [1, state.length]), [ids.length, 1]), ...inputs]) as tf.Tensor);
      // Read outside tidy (tidy would walk a returned typed array element by element).
      try {
        ranked.set(request.requestId, rank(request, q.dataSync(), rowOf, ids, epsilon));
      } finally {
        q.dispose();
      }
    }
  } finally {
    for (const tensor of inputs) tensor.dispose();
  }

  const rankingOf = (request: LoggedRequest): Ranking => {
    const found = ranked.get(request.requestId);
    if (found === undefined) throw new Error(`request ${request.requestId} was not scored by ${options.name}`);
    return found;
  };
  /** sum over every available item of value(item, position), per reward model and position (the "whole catalog" candidate sets share it). */
  const catalogSums = new WeakMap<RewardModel, number[]>();
  const sumOverCatalog = (model: RewardModel, position: number) => {
    let sums = catalogSums.get(model);
    if (sums === undefined) catalogSums.set(model, (sums = []));
    return (sums[position] ??= ids.reduce((sum, itemId) => sum + model.predict(itemId, position), 0));
  };

  return {
    name: options.name,
    probability(request, itemId, position) {
      const ranking = rankingOf(request);
      if (!ranking.candidates.has(itemId) || position >= ranking.marginals.positions) return 0;
      return ranking.marginals.of(ranking.rankOf.get(itemId) ?? ranking.marginals.positions, position);
    },
    expectation(request, position, rewardModel) {
      const ranking = rankingOf(request);
      const { marginals } = ranking;
      if (position >= marginals.positions) return 0;
      const allCandidates =
        ranking.wholeCatalog !== null
          ? sumOverCatalog(rewardModel, position) - (ranking.wholeCatalog.excluded === null ? 0 : rewardModel.predict(ranking.wholeCatalog.excluded, position))
          : [...ranking.candidates].reduce((sum, itemId) => sum + rewardModel.predict(itemId, position), 0);
      let top = 0;
      let expected = 0;
      for (const [itemId, itemRank] of ranking.rankOf) {
        const value = rewardModel.predict(itemId, position);
        top += value;
        expected += marginals.of(itemRank, position) * value;
      }
      // Every rank below the top `positions` has one marginal.
      return expected + marginals.of(marginals.positions, position) * (allCandidates - top);
    },
  };
}

/** One request's candidates under the model: the top ranks and the marginals of its epsilon-greedy slate. */
interface Ranking {
  candidates: ReadonlySet<string>;
  /** itemId -> greedy rank, for the top `marginals.positions` ranks. */
  rankOf: Map<string, number>;
  marginals: SlateMarginals;
  /** Set when the candidates are the whole available catalog (less the viewed item, if available). */
  wholeCatalog: { excluded: string | null } | null;
}

function rank(request: LoggedRequest, scores: ArrayLike<number>, rowOf: ReadonlyMap<string, number>, ids: readonly string[], epsilon: number): Ranking {
  let rows: number[];
  let wholeCatalog: Ranking['wholeCatalog'] = null;
  if (request.candidateItemIds === null) {
    const excluded = request.contextItemId === null ? undefined : rowOf.get(request.contextItemId);
    rows = ids.map((_, row) => row).filter((row) => row !== excluded);
    wholeCatalog = { excluded: excluded === undefined ? null : ids[excluded] };
  } else {
    const listed = new Set<number>();
    for (const itemId of request.candidateItemIds) {
      const row = rowOf.get(itemId);
      if (row !== undefined && itemId !== request.contextItemId) listed.add(row);
    }
    rows = [...listed];
  }
  const candidateScores = Float32Array.from(rows, (row) => scores[row]);
  const marginals = marginalsFor(rows.length, request.slateSize, epsilon);
  const top = topIndices(candidateScores, marginals.positions);
  return {
    candidates: new Set(rows.map((row) => ids[row])),
    rankOf: new Map(top.map((candidate, itemRank) => [ids[rows[candidate]], itemRank])),
    marginals,
    wholeCatalog,
  };
}

const marginalsCache = new Map<string, SlateMarginals>();

function marginalsFor(candidates: number, slateSize: number, epsilon: number): SlateMarginals {
  const key = `${candidates}/${slateSize}/${epsilon}`;
  let found = marginalsCache.get(key);
  if (found === undefined) marginalsCache.set(key, (found = epsilonGreedyMarginals(candidates, slateSize, epsilon)));
  return found;
}

/** The item-side inputs of an exported model for the catalog matrix: `item`, and `itemRow` when the model has per-item rows. */
function modelInputs(model: tf.LayersModel, vectors: Float32Array, count: number): tf.Tensor[] {
  // tfjs makes layer names unique per process: a second model loaded has inputs state_1, item_1, ...
  const names = model.inputs.map((input) => input.name.replace(/:\d+$/, '').replace(/_\d+$/, ''));
  if (names[0] !== 'state' || names[1] !== 'item') throw new Error(`not a model written by rec export: inputs ${names.join(', ')} (expected state, item[, itemRow])`);
  const items = tf.tensor2d(vectors, [count, ITEM_DIM]);
  if (names.length === 2) return [items];
  const metadata = (model.getUserDefinedMetadata() as { rec?: ExportMetadata } | undefined)?.rec;
  if (metadata === undefined) throw new Error('the model carries no rec metadata (itemIdBuckets): not a model written by rec export');
  return [items, tf.tensor2d(itemRowsOf({ ...metadata, seed: 0 }, vectors), [count, 1])];
}
