import {
  STATE_DIM,
  encodeState,
  type AvailableItems,
  type HistoryEntry,
  type LiveCatalog,
  type RecommendationAction,
  type RecommendationRequest,
  type RecommendedItem,
} from '@rec/shared';
import { maximalMarginalRelevance } from './diverse-ranking';
import type { ExposureBonus } from './exposure-bonus';
import { epsilonGreedySlate, type DiverseGreedyOrder, type SlatePick } from './epsilon-greedy-slate';
import type { ScoringPolicy } from './scoring-policy';

/** What one micro-batch decided: one action per request, and the states they were scored from. */
export interface SlateDecisions {
  actions: RecommendationAction[];
  /** [requests * STATE_DIM], row i the state of request i (a view valid until the next decide call). */
  states: Float32Array;
}

/**
 * The actor's decision, free of any transport: a micro-batch of requests and their users' histories in,
 * one epsilon-greedy action per request out. One forward pass scores the whole batch against the whole
 * available catalog; each slate is formed from the request's own candidates (never an unavailable item,
 * never one outside candidateItemIds, never the item being viewed). The Kafka slate server and the
 * in-process experiment runner both decide through it, so experiments measure the code that serves.
 */
export class SlateDecider {
  private stateBuffer = new Float32Array(0);

  constructor(
    private readonly policy: ScoringPolicy,
    private readonly catalog: LiveCatalog,
    private readonly random: () => number,
    /** Maximal-marginal-relevance penalty on items similar to those above them (0: rank by score alone). */
    private readonly diversityPenalty = 0,
    /** Optimism for items served little (null: rank by score alone). */
    private readonly exposureBonus: ExposureBonus | null = null,
  ) {}

  /** `epsilonOf(i)` is the exploration rate of the i-th request; `now` stamps the actions. */
  decide(requests: readonly RecommendationRequest[], histories: readonly (readonly HistoryEntry[])[], epsilonOf: (index: number) => number, now: number): SlateDecisions {
    const batch = requests.length;
    if (this.stateBuffer.length < batch * STATE_DIM) this.stateBuffer = new Float32Array(batch * STATE_DIM);
    const states = this.stateBuffer.subarray(0, batch * STATE_DIM);
    requests.forEach((request, index) => encodeState(request, histories[index], this.catalog.vectorOf, states, index * STATE_DIM));

    const items = this.catalog.available();
    const scores = this.policy.score(states, batch, items);
    const ranking = this.exposureBonus === null ? scores : this.exposureBonus.ranked(scores, batch, items);
    const modelVersion = this.policy.modelVersion();
    const actions = requests.map((request, index): RecommendationAction => {
      const epsilon = this.policy.fixedEpsilon() ?? epsilonOf(index);
      const span = [index * items.ids.length, (index + 1) * items.ids.length] as const;
      const slate = this.formSlate(request, items, ranking.subarray(...span), scores.subarray(...span), epsilon);
      return { requestId: request.requestId, userId: request.userId, timestamp: now, items: slate, modelVersion, epsilon, policy: this.policy.name };
    });
    this.exposureBonus?.countServed(actions);
    return { actions, states };
  }

  /** The MMR reordering of the greedy order, when a penalty is set and the policy knows similarity. */
  private diversity(items: AvailableItems, scores: Float32Array, rowOf: (candidate: number) => number, slateSize: number): DiverseGreedyOrder | undefined {
    const { policy, diversityPenalty } = this;
    if (diversityPenalty <= 0 || policy.similarity === undefined) return undefined;
    const similarity = (a: number, b: number) => policy.similarity!(items, rowOf(a), rowOf(b));
    return {
      poolSize: slateSize * DIVERSITY_POOL_FACTOR,
      reorder: (pool, size) => maximalMarginalRelevance(pool, scores, size, diversityPenalty, similarity),
    };
  }

  /** `row` orders the candidates; `scores` is what each served item is logged with (the policy's own score). */
  private formSlate(request: RecommendationRequest, items: AvailableItems, row: Float32Array, scores: Float32Array, epsilon: number): RecommendedItem[] {
    const toItem = (itemIndex: number, score: number, pick: SlatePick): RecommendedItem => ({
      itemId: items.ids[itemIndex],
      position: pick.position,
      score,
      propensity: pick.propensity,
      explored: pick.explored,
    });
    if (request.candidateItemIds === null) {
      // The whole available catalog: pick straight from the score row; only the viewed item is excluded.
      const context = request.contextItemId === null ? undefined : items.rowOf.get(request.contextItemId);
      const diversity = this.diversity(items, row, (candidate) => candidate, request.slateSize);
      const picks = epsilonGreedySlate(row, request.slateSize, epsilon, this.random, context === undefined ? [] : [context], diversity);
      return picks.map((pick) => toItem(pick.candidate, scores[pick.candidate], pick));
    }
    const candidates = candidateRows(request, items);
    const candidateScores = Float32Array.from(candidates, (rowIndex) => row[rowIndex]);
    const diversity = this.diversity(items, candidateScores, (candidate) => candidates[candidate], request.slateSize);
    return epsilonGreedySlate(candidateScores, request.slateSize, epsilon, this.random, [], diversity).map((pick) =>
      toItem(candidates[pick.candidate], scores[candidates[pick.candidate]], pick),
    );
  }
}

/** Candidates the diverse greedy order chooses among: this many times the slate size, best scores first. */
const DIVERSITY_POOL_FACTOR = 3;

/** Rows of the catalog matrix a request with explicit candidates may get: available, listed, not the viewed item. */
function candidateRows(request: RecommendationRequest, items: AvailableItems): number[] {
  const rows = new Set<number>();
  for (const itemId of request.candidateItemIds ?? []) {
    const rowIndex = items.rowOf.get(itemId);
    if (rowIndex !== undefined && itemId !== request.contextItemId) rows.add(rowIndex);
  }
  return [...rows];
}
