import {
  bytesToFloats,
  itemFeatureNames,
  stateFeatureNames,
  type LiveCatalog,
  type RequestStateStore,
  type WeightsHistory,
} from '@rec/shared';
import { explainScore, type QNetworkSpec } from '@rec/shared/model';
import type { RecentActions } from './recent-actions';
import type { ScoringPolicy } from './scoring-policy';

/** One feature's share of a part of the score. */
interface Contribution {
  feature: string;
  value: number;
  contribution: number;
}

/** The largest `count` contributions by size, and the sum of all the others, so the part still adds up. */
function top(names: string[], values: ArrayLike<number>, contributions: Float64Array, count: number): { top: Contribution[]; others: number } {
  const order = Array.from(contributions.keys()).sort((a, b) => Math.abs(contributions[b]) - Math.abs(contributions[a]));
  const shown = order.slice(0, count).filter((index) => contributions[index] !== 0);
  const others = order.slice(count).reduce((sum, index) => sum + contributions[index], 0);
  return { top: shown.map((index) => ({ feature: names[index], value: values[index], contribution: contributions[index] })), others };
}

/**
 * Answers `GET /explain/<requestId>`: for a request this actor served recently, why those items. Each
 * item's score (the Q-value logged in the action) is split into parts that add up to it: the interaction
 * of the user's state with the item, seen from the state's side (top state features, the tower's bias
 * path) and from the item's side (top item features, the embedding's bias), plus the item's learned bias
 * (top features and its constant). The learned position term, whether the item was explored and its
 * propensity come with it. The state is the one logged for the joiner; the weights are those of the
 * version that served (from the weights history when the actor has moved on).
 */
export class SlateExplainer {
  private readonly stateNames = stateFeatureNames();
  private readonly itemNames = itemFeatureNames();

  constructor(
    private readonly deps: {
      recent: RecentActions;
      requestStates: RequestStateStore;
      catalog: LiveCatalog;
      policy: ScoringPolicy;
      /** The DQN's weights now, when the policy has a network. */
      currentWeights: (() => Float32Array) | null;
      history: WeightsHistory;
      spec: QNetworkSpec;
      layoutHash: string;
      topFeatures?: number;
    },
  ) {}

  async explain(requestId: string): Promise<{ status: number; body: unknown }> {
    const { deps } = this;
    const action = deps.recent.get(requestId);
    if (action === undefined) {
      return { status: 404, body: { requestId, error: 'this actor did not serve that request recently (it keeps the newest ACTOR_EXPLAIN_RECENT actions); ask the other actors' } };
    }
    if (action.policy !== 'ddqn' || deps.currentWeights === null) {
      return { status: 409, body: { requestId, policy: action.policy, error: `the ${action.policy} policy has no model to explain: its scores are ${action.policy === 'random' ? 'all equal' : 'recent click counts'}` } };
    }
    const [recorded] = await deps.requestStates.getMany([requestId]);
    if (recorded === null || recorded === undefined) {
      return { status: 410, body: { requestId, error: 'the state logged for this request has expired (ACTOR_REQUEST_STATE_TTL_MS)' } };
    }
    const state = bytesToFloats(recorded.state);
    let weights: Float32Array;
    if (action.modelVersion === deps.policy.modelVersion()) {
      weights = deps.currentWeights();
    } else {
      const historic = await deps.history.load(action.modelVersion);
      if (historic === null || historic.layoutHash !== deps.layoutHash) {
        return { status: 410, body: { requestId, modelVersion: action.modelVersion, error: `the weights of version ${action.modelVersion} are no longer in the history (PS_WEIGHTS_HISTORY)` } };
      }
      weights = historic.values;
    }
    const count = deps.topFeatures ?? 8;
    const items = action.items.map((served) => {
      const vector = deps.catalog.vectorOf(served.itemId);
      if (vector === undefined) {
        return { itemId: served.itemId, position: served.position, loggedScore: served.score, explored: served.explored, propensity: served.propensity, error: 'the item is no longer in the catalog' };
      }
      const explained = explainScore(deps.spec, weights, state, vector);
      const stateSide = top(this.stateNames, state, explained.byStateFeature, count);
      const itemSide = top(this.itemNames, vector, explained.byItemFeature, count);
      const itemBias = top(this.itemNames, vector, explained.itemBiasByFeature, count);
      const positionIndex = Math.min(served.position, explained.positionTerms.length - 1);
      return {
        itemId: served.itemId,
        position: served.position,
        explored: served.explored,
        propensity: served.propensity,
        loggedScore: served.score,
        score: explained.score,
        parts: { interaction: explained.interaction, itemBias: explained.itemBias },
        interactionByState: { topFeatures: stateSide.top, otherFeatures: stateSide.others, towerBias: explained.stateTowerBias },
        interactionByItem: { topFeatures: itemSide.top, otherFeatures: itemSide.others, embeddingBias: explained.itemEmbeddingBias },
        itemBias: { topFeatures: itemBias.top, otherFeatures: itemBias.others, constant: explained.itemBiasConstant },
        positionTerm: { value: explained.positionTerms[positionIndex], note: 'learned in training to absorb position bias; not part of the score' },
      };
    });
    return {
      status: 200,
      body: {
        requestId,
        userId: action.userId,
        modelVersion: action.modelVersion,
        policy: action.policy,
        epsilon: action.epsilon,
        servedAt: action.timestamp,
        howToRead:
          'score = parts.interaction + parts.itemBias; parts.interaction = sum(interactionByState.topFeatures) + otherFeatures + towerBias = sum(interactionByItem.topFeatures) + otherFeatures + embeddingBias; parts.itemBias = sum(itemBias.topFeatures) + otherFeatures + constant. loggedScore is what the action carried.',
        items,
      },
    };
  }
}
