import type { RequestRecord, SessionRecord } from './ledger-types';

/** The oracle appears among the policies under this name. */
export const ORACLE_POLICY = 'oracle';

/** Default age limit of a "young" new item: 5,000 requests since it arrived (issue 9's cold-start target). */
export const YOUNG_ITEM_REQUESTS = 5_000;

/** Rates over a set of requests. CTR = clicks / impressions (per shown slot). */
export interface RateSummary {
  requests: number;
  /** Mean realised reward per answered request. */
  rewardPerRequest: number;
  /** Clicks / impressions: the click-through rate per shown slot. */
  ctr: number;
  clicksPerRequest: number;
  /** Mean expected reward of the served slates under the hidden model (lower variance than realised). */
  expectedRewardPerRequest: number;
  /** The oracle's mean expected reward over the very same requests. */
  oracleRewardPerRequest: number;
}

export interface NewItemSummary {
  /** Impressions and CTR of items that arrived mid-run. */
  impressions: number;
  clicks: number;
  ctr: number | null;
  /** CTR of items present from the start, in the same categories, over requests after that category's
   * first new item arrived, weighted by the new items' impressions per category. */
  comparableOldItemCtr: number | null;
  /** Share of impressions (after the first arrival) that went to new items. */
  impressionShare: number | null;
  /** The same comparison for new items while they are young: shown within `requests` requests of arriving. */
  young: YoungItemSummary;
}

/** New items within their first requests after arrival, against old items of the same categories. */
export interface YoungItemSummary {
  /** The age limit, in requests issued since the item arrived. */
  requests: number;
  impressions: number;
  clicks: number;
  ctr: number | null;
  /** CTR of items present from the start, same categories, after the first arrival, weighted by young-item impressions per category. */
  comparableOldItemCtr: number | null;
}

export interface PolicySummary extends RateSummary {
  impressions: number;
  clicks: number;
  addToCarts: number;
  purchases: number;
  purchasesPerRequest: number;
  /** Mean realised reward per completed session. */
  rewardPerSession: number | null;
  /** Mean expected reward per completed session. */
  expectedRewardPerSession: number | null;
  sessions: number;
  meanSessionLength: number | null;
  /** Mean drawn gap until the user's next visit after a session, hours. */
  meanReturnGapHours: number | null;
  /** oracleRewardPerRequest - expectedRewardPerRequest. */
  regretPerRequest: number;
  newItems: NewItemSummary;
  finalWindow: RateSummary;
}

export interface OracleSummary {
  requests: number;
  /** Expected reward per request of the one-step oracle. */
  rewardPerRequest: number;
  /** Expected clicks / slots of the oracle slates. */
  ctr: number;
  clicksPerRequest: number;
  expectedRewardPerRequest: number;
  oracleRewardPerRequest: number;
  /** Sum of the oracle's expected reward over each completed session's requests, per session. */
  rewardPerSession: number | null;
  sessions: number;
  finalWindow: RateSummary;
}

/** One point of the learning curve: a window of consecutive answered requests. */
export interface CurveWindow {
  window: number;
  /** Answered requests before the window, and at its end (x axis). */
  fromRequest: number;
  toRequest: number;
  policies: Record<string, RateSummary>;
}

export interface LedgerSummary {
  answered: number;
  timeouts: number;
  windowSize: number;
  finalWindowSize: number;
  policies: Record<string, PolicySummary | OracleSummary>;
  curve: CurveWindow[];
}

/** What the ledger keeps per answered request (slots are tallied on arrival and not kept). */
type StoredRequest = Omit<RequestRecord, 'slots' | 'sessionId' | 'requestIndex'>;

/** Running sums over a set of requests. */
class Tally {
  requests = 0;
  impressions = 0;
  clicks = 0;
  reward = 0;
  expectedReward = 0;
  expectedClicks = 0;
  oracleReward = 0;
  oracleClicks = 0;
  oracleSlots = 0;

  add(record: StoredRequest): void {
    this.requests += 1;
    this.impressions += record.impressions;
    this.clicks += record.clicks;
    this.reward += record.reward;
    this.expectedReward += record.expectedReward;
    this.expectedClicks += record.expectedClicks;
    this.oracleReward += record.oracleExpectedReward;
    this.oracleClicks += record.oracleExpectedClicks;
    this.oracleSlots += record.oracleSlots;
  }

  /** The served policy's rates. */
  served(): RateSummary {
    return {
      requests: this.requests,
      rewardPerRequest: ratio(this.reward, this.requests),
      ctr: ratio(this.clicks, this.impressions),
      clicksPerRequest: ratio(this.clicks, this.requests),
      expectedRewardPerRequest: ratio(this.expectedReward, this.requests),
      oracleRewardPerRequest: ratio(this.oracleReward, this.requests),
    };
  }

  /** The oracle's rates on the same requests (expected values: the oracle is never served). */
  oracle(): RateSummary {
    const rewardPerRequest = ratio(this.oracleReward, this.requests);
    return {
      requests: this.requests,
      rewardPerRequest,
      ctr: ratio(this.oracleClicks, this.oracleSlots),
      clicksPerRequest: ratio(this.oracleClicks, this.requests),
      expectedRewardPerRequest: rewardPerRequest,
      oracleRewardPerRequest: rewardPerRequest,
    };
  }
}

/** Impressions and clicks, new items versus old, per category. */
interface CategoryCounts {
  newImpressions: number;
  newClicks: number;
  youngImpressions: number;
  youngClicks: number;
  oldImpressions: number;
  oldClicks: number;
}

/**
 * Accumulates what the simulation observed, per policy (the action's `policy` field) and over windows of
 * consecutive answered requests, and summarises it. Requests are kept in arrival order; the summary
 * windows them (`windows` equal windows) and takes the last 10% as the final window.
 */
export class SimulationLedger {
  private readonly requests: StoredRequest[] = [];
  private readonly sessions: SessionRecord[] = [];
  private timeoutCount = 0;
  /** Request index at which each category got its first mid-run item. */
  private readonly firstArrival = new Map<string, number>();
  /** Per policy, per category: new/old impressions and clicks. */
  private readonly newItemCounts = new Map<string, Map<string, CategoryCounts>>();

  /** A new item counts as young while shown within this many requests of its arrival. */
  private readonly youngRequests: number;

  constructor(private readonly options: { windows: number; finalWindowFraction?: number; youngItemRequests?: number } = { windows: 20 }) {
    this.youngRequests = options.youngItemRequests ?? YOUNG_ITEM_REQUESTS;
  }

  get answered(): number {
    return this.requests.length;
  }

  get timeouts(): number {
    return this.timeoutCount;
  }

  /** A new item arrived in `category` at request index `requestIndex`. */
  noteNewItem(category: string, requestIndex: number): void {
    if (!this.firstArrival.has(category)) this.firstArrival.set(category, requestIndex);
  }

  recordRequest(record: RequestRecord): void {
    const { slots, sessionId: _sessionId, requestIndex: _requestIndex, ...stored } = record;
    this.requests.push(stored);
    let byCategory = this.newItemCounts.get(record.policy);
    if (byCategory === undefined) {
      byCategory = new Map();
      this.newItemCounts.set(record.policy, byCategory);
    }
    for (const slot of slots) {
      const arrival = this.firstArrival.get(slot.category);
      if (arrival === undefined || record.requestIndex < arrival) continue;
      let counts = byCategory.get(slot.category);
      if (counts === undefined) {
        counts = { newImpressions: 0, newClicks: 0, youngImpressions: 0, youngClicks: 0, oldImpressions: 0, oldClicks: 0 };
        byCategory.set(slot.category, counts);
      }
      if (slot.isNew) {
        counts.newImpressions += 1;
        if (slot.clicked) counts.newClicks += 1;
        if (slot.ageRequests !== null && slot.ageRequests < this.youngRequests) {
          counts.youngImpressions += 1;
          if (slot.clicked) counts.youngClicks += 1;
        }
      } else {
        counts.oldImpressions += 1;
        if (slot.clicked) counts.oldClicks += 1;
      }
    }
  }

  recordTimeout(): void {
    this.timeoutCount += 1;
  }

  recordSession(record: SessionRecord): void {
    this.sessions.push(record);
  }

  /** Rates per policy over answered requests [from, end): for progress logs. */
  recent(from: number): Record<string, RateSummary> {
    const tallies = new Map<string, Tally>();
    for (const record of this.requests.slice(from)) tallyOf(tallies, record.policy).add(record);
    return Object.fromEntries([...tallies].map(([policy, tally]) => [policy, tally.served()]));
  }

  summary(): LedgerSummary {
    const answered = this.requests.length;
    const windowSize = Math.max(1, Math.ceil(answered / Math.max(1, this.options.windows)));
    const finalWindowSize = Math.max(1, Math.ceil(answered * (this.options.finalWindowFraction ?? 0.1)));
    const finalFrom = answered - finalWindowSize;

    const overall = new Map<string, Tally>();
    const final = new Map<string, Tally>();
    const all = new Tally();
    const allFinal = new Tally();
    const purchases = new Map<string, number>();
    const addToCarts = new Map<string, number>();
    const curve: CurveWindow[] = [];
    let window: { tallies: Map<string, Tally>; all: Tally; from: number } | null = null;

    this.requests.forEach((record, sequence) => {
      tallyOf(overall, record.policy).add(record);
      all.add(record);
      purchases.set(record.policy, (purchases.get(record.policy) ?? 0) + record.purchases);
      addToCarts.set(record.policy, (addToCarts.get(record.policy) ?? 0) + record.addToCarts);
      if (sequence >= finalFrom) {
        tallyOf(final, record.policy).add(record);
        allFinal.add(record);
      }
      if (window === null) window = { tallies: new Map(), all: new Tally(), from: sequence };
      tallyOf(window.tallies, record.policy).add(record);
      window.all.add(record);
      if (sequence + 1 - window.from === windowSize || sequence + 1 === answered) {
        curve.push(closeWindow(curve.length, window, sequence + 1));
        window = null;
      }
    });

    const completed = this.sessions.filter((session) => session.completed);
    const policies: Record<string, PolicySummary | OracleSummary> = {};
    for (const [policy, tally] of overall) {
      const sessions = completed.filter((session) => session.policy === policy);
      const served = tally.served();
      const gaps = sessions.map((session) => session.returnGapHours).filter((gap): gap is number => gap !== null);
      policies[policy] = {
        ...served,
        impressions: tally.impressions,
        clicks: tally.clicks,
        addToCarts: addToCarts.get(policy) ?? 0,
        purchases: purchases.get(policy) ?? 0,
        purchasesPerRequest: ratio(purchases.get(policy) ?? 0, tally.requests),
        rewardPerSession: mean(sessions.map((session) => session.reward)),
        expectedRewardPerSession: mean(sessions.map((session) => session.expectedReward)),
        sessions: sessions.length,
        meanSessionLength: mean(sessions.map((session) => session.requests)),
        meanReturnGapHours: mean(gaps),
        regretPerRequest: served.oracleRewardPerRequest - served.expectedRewardPerRequest,
        newItems: this.newItemSummary(policy),
        finalWindow: (final.get(policy) ?? new Tally()).served(),
      };
    }
    policies[ORACLE_POLICY] = {
      ...all.oracle(),
      rewardPerSession: mean(completed.map((session) => session.oracleExpectedReward)),
      sessions: completed.length,
      finalWindow: allFinal.oracle(),
    };
    return { answered, timeouts: this.timeoutCount, windowSize, finalWindowSize, policies, curve };
  }

  private newItemSummary(policy: string): NewItemSummary {
    const byCategory = this.newItemCounts.get(policy) ?? new Map<string, CategoryCounts>();
    let impressions = 0;
    let clicks = 0;
    let youngImpressions = 0;
    let youngClicks = 0;
    let afterArrival = 0;
    const oldCtr = { weighted: 0, weight: 0, youngWeighted: 0, youngWeight: 0 };
    for (const counts of byCategory.values()) {
      impressions += counts.newImpressions;
      clicks += counts.newClicks;
      youngImpressions += counts.youngImpressions;
      youngClicks += counts.youngClicks;
      afterArrival += counts.newImpressions + counts.oldImpressions;
      if (counts.oldImpressions === 0) continue;
      const categoryOldCtr = counts.oldClicks / counts.oldImpressions;
      oldCtr.weighted += counts.newImpressions * categoryOldCtr;
      oldCtr.weight += counts.newImpressions;
      oldCtr.youngWeighted += counts.youngImpressions * categoryOldCtr;
      oldCtr.youngWeight += counts.youngImpressions;
    }
    return {
      impressions,
      clicks,
      ctr: impressions > 0 ? clicks / impressions : null,
      comparableOldItemCtr: oldCtr.weight > 0 ? oldCtr.weighted / oldCtr.weight : null,
      impressionShare: afterArrival > 0 ? impressions / afterArrival : null,
      young: {
        requests: this.youngRequests,
        impressions: youngImpressions,
        clicks: youngClicks,
        ctr: youngImpressions > 0 ? youngClicks / youngImpressions : null,
        comparableOldItemCtr: oldCtr.youngWeight > 0 ? oldCtr.youngWeighted / oldCtr.youngWeight : null,
      },
    };
  }
}

function closeWindow(index: number, window: { tallies: Map<string, Tally>; all: Tally; from: number }, to: number): CurveWindow {
  const policies: Record<string, RateSummary> = {};
  for (const [policy, tally] of window.tallies) policies[policy] = tally.served();
  policies[ORACLE_POLICY] = window.all.oracle();
  return { window: index, fromRequest: window.from, toRequest: to, policies };
}

function tallyOf(tallies: Map<string, Tally>, policy: string): Tally {
  let tally = tallies.get(policy);
  if (tally === undefined) {
    tally = new Tally();
    tallies.set(policy, tally);
  }
  return tally;
}

function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : 0;
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
