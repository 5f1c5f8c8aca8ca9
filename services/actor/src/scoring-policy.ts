import { ITEM_DIM, ITEM_ID_HASH_RANGE, ITEM_ID_SLOT, type AvailableItems, type PopularityStore } from '@rec/shared';
import type { QNetwork } from '@rec/shared/model';
import { CatalogScorer } from './catalog-scorer';
import type { PolicyName } from './config';

/**
 * How a policy scores the available catalog for a micro-batch of states. The slate is then formed
 * epsilon-greedily from these scores by the same code for every policy, so every policy logs exact
 * propensities and travels the same path.
 */
export interface ScoringPolicy {
  readonly name: PolicyName;
  /** Scores [batch * items], row-major. */
  score(states: Float32Array, batch: number, items: AvailableItems): Float32Array;
  /** The model version behind the scores (0 for policies without a model). */
  modelVersion(): number;
  /** The policy's own exploration rate, or null to follow the actor's epsilon schedule. */
  fixedEpsilon(): number | null;
  /** How alike two available items (rows of `items`) are, in [-1, 1], for diverse slates; absent: no notion of it. */
  similarity?(items: AvailableItems, a: number, b: number): number;
}

/** The Double-DQN policy: Q-values from the current weights, which are swapped in as they arrive. */
export class DqnPolicy implements ScoringPolicy {
  readonly name = 'ddqn' as const;
  private version = 0;
  private readonly scorer: CatalogScorer;

  constructor(readonly network: QNetwork) {
    this.scorer = new CatalogScorer(network);
  }

  /** Swaps in new weights; synchronous, so no micro-batch is ever scored by half a model. */
  adopt(version: number, weights: Float32Array): void {
    this.network.setWeights(weights);
    this.version = version;
    this.scorer.invalidate();
  }

  score(states: Float32Array, batch: number, items: AvailableItems): Float32Array {
    return this.scorer.score(states, batch, items, this.version);
  }

  modelVersion(): number {
    return this.version;
  }

  similarity(items: AvailableItems, a: number, b: number): number {
    return this.scorer.similarity(items, this.version, a, b);
  }

  fixedEpsilon(): null {
    return null;
  }
}

/** Uniformly random slates: every score equal and epsilon 1, so each propensity is 1 / |remaining|. */
export class RandomPolicy implements ScoringPolicy {
  readonly name = 'random' as const;

  score(_states: Float32Array, batch: number, items: AvailableItems): Float32Array {
    return new Float32Array(batch * items.ids.length);
  }

  modelVersion(): number {
    return 0;
  }

  fixedEpsilon(): number {
    return 1;
  }
}

/** The most clicked items of the last minutes (from Redis, refreshed periodically), the same for every user. */
export class PopularityPolicy implements ScoringPolicy {
  readonly name = 'popularity' as const;
  private clicks = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: PopularityStore,
    private readonly refreshMs: number,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.refreshMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  score(_states: Float32Array, batch: number, items: AvailableItems): Float32Array {
    return clickScores(this.clicks, batch, items);
  }

  modelVersion(): number {
    return 0;
  }

  fixedEpsilon(): null {
    return null;
  }

  private async refresh(): Promise<void> {
    this.clicks = await this.store.recentClicks();
  }
}

/**
 * Every request of a batch scores each available item by its recent clicks: [batch * items], row-major.
 * Equal counts (every item before its first click) are ordered by the item's identity hash (the
 * encoded item's identity slot, itemIdHash of its id), a fraction below one click: without it the greedy slots go to the lowest catalog rows, and the catalog's row
 * order is the order its records happened to arrive in (through the broker, interleaved across the
 * catalog topic's partitions; in process, the catalog's own order). Which ten items the counter starts
 * from, and so what it locks in on, then changed from run to run and between the two paths: on the
 * taste-drift world, seed 42, popularity's final window was 0.72-1.45 over 36 in-process exploration
 * streams and 0.81-2.25 through the broker (docs/experiments.md).
 */
export function clickScores(clicks: ReadonlyMap<string, number>, batch: number, items: AvailableItems): Float32Array {
  const row = Float32Array.from(items.ids, (itemId, index) => (clicks.get(itemId) ?? 0) + TIE_BREAK_SCALE * (items.vectors[index * ITEM_DIM + ITEM_ID_SLOT] / ITEM_ID_HASH_RANGE));
  const scores = new Float32Array(batch * row.length);
  for (let request = 0; request < batch; request += 1) scores.set(row, request * row.length);
  return scores;
}

/** The tie-break's share of one click: below one, so it only orders equal counts. */
const TIE_BREAK_SCALE = 0.5;
