import type { FeedbackType, RecommendationAction, RecommendationRequest, UserFeedback } from '@rec/shared';
import type { RequestRecord, SessionRecord, SlotRecord } from '../scoreboard/ledger-types';
import type { SimItem } from '../world/catalog';
import { examinationProbabilities, expectedSlateOutcome, sampleSlateOutcome } from '../world/choice-model';
import type { OracleSlate } from '../world/oracle';
import type { RequestContext, SlotOutcome, Surface } from '../world/user-model';
import type { SimUser } from '../world/user-population';
import { dot } from '../world/vector-math';
import type { World } from '../world/world';
import type { VirtualClock } from './virtual-clock';

export interface SessionSimulatorOptions {
  /** Unique per run: part of every requestId and eventId, so runs never collide on the same topics. */
  runId: string;
  /** Items asked for per request. */
  slateSize: number;
  /** Expected organic browsing events (requestId null) per request. */
  organicEventsPerRequest: number;
  /** Items a user glances over when browsing organically. */
  organicCandidates: number;
}

/** One visit (session) of one user, in progress. */
export interface Visit {
  sessionId: string;
  user: SimUser;
  /** Requests made so far in this visit. */
  step: number;
  /** Virtual time of the next request. */
  now: number;
  surface: Surface;
  contextItem: SimItem | null;
  /** Sum over answered requests of clicks + 2 * purchases. */
  engagement: number;
  answered: number;
  reward: number;
  expectedReward: number;
  oracleExpectedReward: number;
  /** Answered requests per serving policy. */
  policies: Map<string, number>;
  /** The user's last published timestamp (published timestamps increase strictly per user). */
  lastPublishedAt: number;
}

/** A request about to be sent, with what the simulator knows privately about it. */
export interface PreparedRequest {
  request: RecommendationRequest;
  /** 0-based issue order across the run. */
  requestIndex: number;
  context: RequestContext;
  /** Position-bias exponent for this user's device. */
  eta: number;
  oracle: OracleSlate;
  virtualTime: number;
}

/** Why served items were not shown. */
export interface RejectedItems {
  unknown: number;
  unavailable: number;
  duplicate: number;
  beyondSlateSize: number;
}

export interface StepResult {
  /** Feedback to publish, in timestamp order: impressions, clicks and funnel events, organic browsing. */
  feedback: UserFeedback[];
  /** For the ledger; null when the request timed out. */
  record: RequestRecord | null;
  continues: boolean;
  rejected: RejectedItems;
}

/**
 * The platform's side of a session, without any transport: makes a user's requests, turns the action
 * that answers each into what the user does (feedback events) by the hidden model, and decides whether
 * the user goes on. The driver moves requests and feedback over Kafka (or in-process for tests).
 */
export class SessionSimulator {
  /** Requests prepared and not yet applied, by requestId (the private view in-process policies may use). */
  private readonly inFlight = new Map<string, PreparedRequest>();

  constructor(
    readonly world: World,
    readonly clock: VirtualClock,
    readonly options: SessionSimulatorOptions,
  ) {}

  /** A user arrives: satiation recovers and taste drifts back with the time away; the first surface is drawn. */
  startVisit(user: SimUser): Visit {
    this.world.model.startVisit(user, user.nextVisitAt);
    user.sessions += 1;
    return {
      sessionId: `${user.userId}-s${user.sessions}`,
      user,
      step: 0,
      now: user.nextVisitAt,
      surface: user.prng.bernoulli(0.7) ? 'home' : 'search',
      contextItem: null,
      engagement: 0,
      answered: 0,
      reward: 0,
      expectedReward: 0,
      oracleExpectedReward: 0,
      policies: new Map(),
      lastPublishedAt: 0,
    };
  }

  /** Builds the visit's next request and computes, privately, the oracle slate for it. */
  prepareRequest(visit: Visit, requestIndex: number): PreparedRequest {
    const { user } = visit;
    const { model, catalog } = this.world;
    const context: RequestContext = {
      surface: visit.surface,
      contextItem: visit.surface === 'product' ? visit.contextItem : null,
      searchIntent: visit.surface === 'search' ? this.drawSearchIntent(user) : null,
      localHour: this.clock.localHour(visit.now, user.utcOffsetHours),
      virtualTime: visit.now,
    };
    const eta = model.positionBias(user);
    const oracle = this.world.oracleSlate(user, context, catalog.available(), this.options.slateSize, eta);
    const timestamp = this.clock.publish(visit.now, visit.lastPublishedAt);
    visit.lastPublishedAt = timestamp;
    const request: RecommendationRequest = {
      requestId: `${this.options.runId}-${user.userId}-${user.sessions}-${visit.step}`,
      userId: user.userId,
      timestamp,
      surface: context.surface,
      contextItemId: context.contextItem?.itemId ?? null,
      candidateItemIds: null,
      slateSize: this.options.slateSize,
      attributes: { device: user.device, locale: user.locale },
    };
    visit.step += 1;
    const prepared: PreparedRequest = { request, requestIndex, context, eta, oracle, virtualTime: visit.now };
    this.inFlight.set(request.requestId, prepared);
    return prepared;
  }

  /** A request prepared and not yet applied. */
  preparedRequest(requestId: string): PreparedRequest | undefined {
    return this.inFlight.get(requestId);
  }

  /**
   * The user sees the action's slate (or nothing, on a timeout) and acts: impressions for every shown
   * item, clicks and the purchase funnel from the choice model, maybe some organic browsing; then the
   * hidden state moves on and the user decides whether to make another request.
   */
  applyAction(visit: Visit, prepared: PreparedRequest, action: RecommendationAction | null): StepResult {
    const { user } = visit;
    const { model } = this.world;
    const requestId = prepared.request.requestId;
    this.inFlight.delete(requestId);
    const feedback: UserFeedback[] = [];
    const emit = (itemId: string, type: FeedbackType, value: number, virtualTime: number, eventId: string, fromRequest: boolean): void => {
      const timestamp = this.clock.publish(virtualTime, visit.lastPublishedAt);
      visit.lastPublishedAt = timestamp;
      feedback.push({ eventId, userId: user.userId, requestId: fromRequest ? requestId : null, itemId, type, value, timestamp });
    };

    const { shown, rejected } = action === null ? { shown: [], rejected: noneRejected() } : this.itemsToShow(action);
    const values = model.slateValues(user, prepared.context, shown);
    const outcomes = sampleSlateOutcome(user.prng, values, prepared.eta);
    const examination = examinationProbabilities(shown.length, prepared.eta);
    const satiationShown = shown.map((item) => user.satiation[item.category.index]);
    // The served slate's expected outcome under the state the user was in when it was shown.
    const expected = expectedSlateOutcome(values, prepared.eta);

    // Feedback in time order: impressions as the slate renders, then each click and its funnel.
    let cursor = prepared.virtualTime + 300;
    shown.forEach((item, slot) => emit(item.itemId, 'IMPRESSION', 0, cursor + 10 * slot, `${requestId}-${slot}-i`, true));
    cursor += 10 * shown.length + 700;
    let reward = 0;
    shown.forEach((item, slot) => {
      const outcome = outcomes[slot];
      reward += model.slotReward(item, outcome);
      if (!outcome.clicked) return;
      cursor += 2_000 + user.prng.exponential(8_000);
      emit(item.itemId, 'CLICK', 0, cursor, `${requestId}-${slot}-c`, true);
      if (!outcome.addedToCart) return;
      cursor += 5_000 + user.prng.exponential(20_000);
      emit(item.itemId, 'ADD_TO_CART', 0, cursor, `${requestId}-${slot}-a`, true);
      if (!outcome.purchased) return;
      cursor += 10_000 + user.prng.exponential(40_000);
      emit(item.itemId, 'PURCHASE', item.price, cursor, `${requestId}-${slot}-p`, true);
    });

    const continuation = model.continuationProbability(shown, examination, outcomes, satiationShown);
    model.afterSlate(user, shown, examination, outcomes);

    // Organic browsing between requests: not an answer to any recommendation.
    const organicEvents = Math.floor(this.options.organicEventsPerRequest) + (user.prng.bernoulli(this.options.organicEventsPerRequest % 1) ? 1 : 0);
    for (let index = 0; index < organicEvents; index += 1) {
      cursor += 5_000 + user.prng.exponential(20_000);
      cursor = this.browseOrganically(visit, prepared.context, cursor, `${requestId}-o${index}`, emit);
    }

    const record = action === null ? null : this.requestRecord(visit, prepared, action.policy, shown, outcomes, reward, expected);
    const continues = visit.step < model.scenario.maxSessionLength && user.prng.bernoulli(continuation);
    this.chooseNextSurface(visit, shown, outcomes);
    visit.now = cursor + 3_000 + user.prng.exponential(10_000);
    user.lastActiveAt = visit.now;
    return { feedback, record, continues, rejected };
  }

  /** The visit is over: the user's next visit is scheduled; returns the session's record for the ledger. */
  endVisit(visit: Visit, completed: boolean): SessionRecord {
    const { user } = visit;
    const satisfaction = visit.answered > 0 ? visit.engagement / visit.answered : 0;
    const gapMs = this.world.model.returnGapMs(user, satisfaction);
    user.nextVisitAt = visit.now + gapMs;
    let policy = 'none';
    let most = 0;
    for (const [name, count] of visit.policies) {
      if (count > most) [policy, most] = [name, count];
    }
    return {
      policy,
      requests: visit.step,
      answered: visit.answered,
      reward: visit.reward,
      expectedReward: visit.expectedReward,
      oracleExpectedReward: visit.oracleExpectedReward,
      completed,
      returnGapHours: completed ? gapMs / 3_600_000 : null,
    };
  }

  /** The served items the platform shows: known, available, distinct, in position order, at most slateSize. */
  private itemsToShow(action: RecommendationAction): { shown: SimItem[]; rejected: RejectedItems } {
    const rejected = noneRejected();
    const shown: SimItem[] = [];
    const seen = new Set<string>();
    for (const served of [...action.items].sort((a, b) => a.position - b.position)) {
      const item = this.world.catalog.get(served.itemId);
      if (item === undefined) rejected.unknown += 1;
      else if (!item.available) rejected.unavailable += 1;
      else if (seen.has(item.itemId)) rejected.duplicate += 1;
      else if (shown.length >= this.options.slateSize) rejected.beyondSlateSize += 1;
      else {
        seen.add(item.itemId);
        shown.push(item);
      }
    }
    return { shown, rejected };
  }

  private requestRecord(
    visit: Visit,
    prepared: PreparedRequest,
    policy: string,
    shown: SimItem[],
    outcomes: SlotOutcome[],
    reward: number,
    expected: { expectedReward: number; expectedClicks: number },
  ): RequestRecord {
    const clicks = outcomes.filter((outcome) => outcome.clicked).length;
    const purchases = outcomes.filter((outcome) => outcome.purchased).length;
    visit.answered += 1;
    visit.engagement += clicks + 2 * purchases;
    visit.reward += reward;
    visit.expectedReward += expected.expectedReward;
    visit.oracleExpectedReward += prepared.oracle.expectedReward;
    visit.policies.set(policy, (visit.policies.get(policy) ?? 0) + 1);
    const slots: SlotRecord[] = shown.map((item, slot) => ({
      category: item.category.name,
      isNew: item.arrivedAtRequest !== null,
      ageRequests: item.arrivedAtRequest === null ? null : prepared.requestIndex - item.arrivedAtRequest,
      clicked: outcomes[slot].clicked,
    }));
    return {
      policy,
      requestIndex: prepared.requestIndex,
      sessionId: visit.sessionId,
      impressions: shown.length,
      clicks,
      addToCarts: outcomes.filter((outcome) => outcome.addedToCart).length,
      purchases,
      reward,
      expectedReward: expected.expectedReward,
      expectedClicks: expected.expectedClicks,
      oracleExpectedReward: prepared.oracle.expectedReward,
      oracleExpectedClicks: prepared.oracle.expectedClicks,
      oracleSlots: prepared.oracle.items.length,
      slots,
    };
  }

  /** A search's hidden intent: a category drawn by the user's current taste (softmax of 4 * <taste, centre>). */
  private drawSearchIntent(user: SimUser) {
    const categories = this.world.catalog.categories;
    const weights = categories.map((category) => Math.exp(4 * dot(user.taste, category.center)));
    return categories[user.prng.weightedIndex(weights)];
  }

  /**
   * One organic browse: the user glances over a few random in-stock items and clicks one in proportion
   * to exp(utility); the funnel may follow. Returns the advanced virtual time.
   */
  private browseOrganically(
    visit: Visit,
    context: RequestContext,
    start: number,
    eventPrefix: string,
    emit: (itemId: string, type: FeedbackType, value: number, virtualTime: number, eventId: string, fromRequest: boolean) => void,
  ): number {
    const { user } = visit;
    const { model, catalog } = this.world;
    const available = catalog.available();
    if (available.length === 0) return start;
    const browseContext: RequestContext = { ...context, surface: 'home', contextItem: null, searchIntent: null };
    const terms = model.categoryTerms(user, browseContext);
    const glanced = user.prng.sampleIndices(available.length, this.options.organicCandidates).map((index) => available[index]);
    const weights = glanced.map((item) => Math.exp(model.clickUtility(user, browseContext, item, terms)));
    const item = glanced[user.prng.weightedIndex(weights)];
    const value = model.itemValue(user, browseContext, item, terms);
    let cursor = start;
    emit(item.itemId, 'CLICK', 0, cursor, `${eventPrefix}-c`, false);
    model.afterClick(user, item);
    if (user.prng.bernoulli(value.cartProbability)) {
      cursor += 5_000 + user.prng.exponential(20_000);
      emit(item.itemId, 'ADD_TO_CART', 0, cursor, `${eventPrefix}-a`, false);
      if (user.prng.bernoulli(value.purchaseProbability)) {
        cursor += 10_000 + user.prng.exponential(40_000);
        emit(item.itemId, 'PURCHASE', item.price, cursor, `${eventPrefix}-p`, false);
      }
    }
    return cursor;
  }

  /**
   * Where the user goes next: to the cart after an add-to-cart (half the time), to a clicked item's
   * product page (related items) after a click (70%), else home or search.
   */
  private chooseNextSurface(visit: Visit, shown: SimItem[], outcomes: SlotOutcome[]): void {
    const { prng } = visit.user;
    const clicked = shown.filter((_, slot) => outcomes[slot].clicked);
    const carted = outcomes.some((outcome) => outcome.addedToCart);
    if (carted && prng.bernoulli(0.5)) {
      visit.surface = 'cart';
      visit.contextItem = null;
    } else if (clicked.length > 0 && prng.bernoulli(0.7)) {
      visit.surface = 'product';
      visit.contextItem = prng.pick(clicked);
    } else {
      visit.surface = prng.bernoulli(0.6) ? 'home' : 'search';
      visit.contextItem = null;
    }
  }
}

function noneRejected(): RejectedItems {
  return { unknown: 0, unavailable: 0, duplicate: 0, beyondSlateSize: 0 };
}
