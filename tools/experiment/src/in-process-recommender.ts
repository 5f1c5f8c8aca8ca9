import { LiveCatalog, STATE_DIM, encodeState, organicRequestOf, type CatalogItem, type RecommendationAction, type RecommendationRequest, type UserFeedback } from '@rec/shared';
import { epsilonAt } from '@rec/actor/dist/epsilon-schedule';
import { exposureBonusFor } from '@rec/actor/dist/exposure-bonus';
import type { ScoringPolicy } from '@rec/actor/dist/scoring-policy';
import { SlateDecider } from '@rec/actor/dist/slate-decider';
import type { PlatformTransport } from '@rec/simulator';
import { InMemoryHistories } from './in-memory-histories';
import type { InMemoryJoiner } from './in-memory-joiner';
import type { InProcessLearner } from './in-process-learner';
import type { InProcessParameterServer } from './in-process-parameter-server';
import type { PopularityCounter } from './popularity-counter';

/** The arrival clock of an in-process run: simulated milliseconds, advanced by each request issued. */
export class SimulatedArrivalClock {
  private issued = 0;

  constructor(private readonly requestsPerSecond: number) {}

  /** One more request arrived. */
  tick(): void {
    this.issued += 1;
  }

  now = (): number => (this.issued * 1000) / this.requestsPerSecond;
}

export interface InProcessRecommenderDeps {
  policy: ScoringPolicy;
  catalog: LiveCatalog;
  clock: SimulatedArrivalClock;
  joiner: InMemoryJoiner;
  /** The learner and parameter server of a model policy; null for baselines without a model. */
  learner: InProcessLearner | null;
  parameterServer: InProcessParameterServer | null;
  /** Counts clicks for the popularity baseline; null otherwise. */
  popularity: PopularityCounter | null;
  epsilon: { start: number; end: number; decayDecisions: number };
  /** Learner samples per simulated second (the speed of the learner service being modelled). */
  learnerSamplesPerSecond: number;
  maxBatch: number;
  diversityPenalty: number;
  /** ACTOR_EXPOSURE_BONUS: 0 for none. */
  exposureBonus: number;
  random: () => number;
}

/**
 * The whole recommender behind the simulator's PlatformTransport, in one process and without Kafka:
 * requests are micro-batched and decided by the actor's SlateDecider (a batch is whatever the visit loops
 * issued before the next turn of the event loop, like one fetch of the actor's consumer), actions and
 * feedback go to the in-memory joiner, its transitions to the in-process learner, which trains for the
 * simulated time that passed and whose parameter server swaps new weights into the serving policy.
 */
export class InProcessRecommender implements PlatformTransport {
  private readonly histories = new InMemoryHistories();
  private readonly decider: SlateDecider;
  private queue: { request: RecommendationRequest; resolve: (action: RecommendationAction) => void }[] = [];
  private flushScheduled = false;
  private decisions = 0;
  private trainedUntil = 0;

  constructor(private readonly deps: InProcessRecommenderDeps) {
    this.decider = new SlateDecider(deps.policy, deps.catalog, deps.random, deps.diversityPenalty, exposureBonusFor(deps.policy.name, deps.exposureBonus));
  }

  async publishCatalog(items: readonly CatalogItem[]): Promise<void> {
    for (const item of items) this.deps.catalog.upsert(item);
  }

  requestAction(request: RecommendationRequest): Promise<RecommendationAction> {
    this.deps.clock.tick();
    return new Promise((resolve) => {
      this.queue.push({ request, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async publishFeedback(events: readonly UserFeedback[]): Promise<void> {
    const now = this.deps.clock.now();
    for (const event of events) {
      if (event.requestId === null && event.type === 'CLICK' && this.deps.learner !== null) {
        const state = encodeState(organicRequestOf(event), this.histories.read(event.userId), this.deps.catalog.vectorOf);
        this.deps.joiner.recordOrganicClick(event, state, now);
      }
      this.histories.append(event);
      this.deps.joiner.foldFeedback(event, now);
      if (event.type === 'CLICK') this.deps.popularity?.countClick(event.itemId, now);
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const { deps } = this;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, deps.maxBatch);
      const now = deps.clock.now();
      const requests = batch.map(({ request }) => request);
      const first = this.decisions;
      const { actions, states } = this.decider.decide(
        requests,
        requests.map((request) => this.histories.read(request.userId)),
        (index) => epsilonAt(first + index, deps.epsilon),
        now,
      );
      this.decisions += requests.length;
      actions.forEach((action, index) => {
        deps.joiner.recordAction(action, states.subarray(index * STATE_DIM, (index + 1) * STATE_DIM), requests[index].timestamp, now);
      });
      batch.forEach(({ resolve }, index) => resolve(actions[index]));
    }
    this.advance(deps.clock.now());
  }

  /** Lets the joiner, the learner and the parameter server catch up with simulated time. */
  private advance(now: number): void {
    const { deps } = this;
    deps.joiner.sweep(now);
    if (deps.learner !== null) {
      deps.learner.train(((now - this.trainedUntil) / 1000) * deps.learnerSamplesPerSecond, now);
      deps.parameterServer?.publishIfBehind(now);
    }
    this.trainedUntil = now;
  }
}
