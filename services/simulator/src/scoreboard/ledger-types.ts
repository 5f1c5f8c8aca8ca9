/** What the SimulationLedger is told about each answered request and each finished session. */

/** One shown item of an answered request, for new-item versus old-item CTR. */
export interface SlotRecord {
  category: string;
  /** The item arrived mid-run (not in the initial catalog). */
  isNew: boolean;
  /** Requests issued since a new item arrived, when it was shown; null for items of the initial catalog. */
  ageRequests: number | null;
  clicked: boolean;
}

export interface RequestRecord {
  /** The action's `policy` field. */
  policy: string;
  /** 0-based order in which the request was issued (the catalog-churn clock). */
  requestIndex: number;
  sessionId: string;
  /** Items shown (= IMPRESSION events). */
  impressions: number;
  clicks: number;
  addToCarts: number;
  purchases: number;
  /** Realised reward: the reward weights applied to this request's feedback. */
  reward: number;
  /** Expected reward and clicks of the served slate under the hidden model. */
  expectedReward: number;
  expectedClicks: number;
  /** The one-step oracle's expected reward, clicks and slate size for the same request and user state. */
  oracleExpectedReward: number;
  oracleExpectedClicks: number;
  oracleSlots: number;
  slots: SlotRecord[];
}

export interface SessionRecord {
  /** The policy that served most of the session's answered requests. */
  policy: string;
  /** Requests in the session (answered or not). */
  requests: number;
  answered: number;
  reward: number;
  expectedReward: number;
  /** Sum of the oracle's expected reward over the session's answered requests. */
  oracleExpectedReward: number;
  /** false when the run ended mid-session (such sessions are left out of per-session figures). */
  completed: boolean;
  /** Hours until the user's next visit, drawn when the session ended (null when not completed). */
  returnGapHours: number | null;
}
