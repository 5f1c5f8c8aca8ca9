import type { CurveWindow, LedgerSummary, OracleSummary, PolicySummary } from './simulation-ledger';

/** What every entry of `policies` has, the oracle's included. */
export interface PolicyFigures {
  requests: number;
  rewardPerRequest: number;
  ctr: number;
  rewardPerSession: number | null;
  finalWindow: { requests: number; rewardPerRequest: number; ctr: number; oracleRewardPerRequest: number };
  oracleRewardPerRequest: number;
}

/** One run that went into a (merged) report. */
export interface RunInfo {
  source: string;
  runId: string;
  world: string;
  scenario: string;
  seed: number;
  requests: number;
  answered: number;
  timeouts: number;
  policies: string[];
}

/** report.json. `policies.oracle` is the one-step oracle on the same requests. */
export interface SimulationReport {
  /** Requests issued (answered + timeouts). */
  requests: number;
  answered: number;
  timeouts: number;
  /** SIM_WORLD (absent in reports written before there were several worlds: those are `latent`). */
  world?: string;
  scenario: string;
  seed: number;
  catalogSize: number;
  users: number;
  slateSize: number;
  runId: string;
  startedAt: string;
  wallSeconds: number;
  /** Simulated time covered, hours. */
  virtualHours: number;
  /** Answered requests per learning-curve window, and in the final window (the last 10%). */
  windowSize: number;
  finalWindowSize: number;
  definitions: Record<string, string>;
  policies: Record<string, PolicySummary | OracleSummary>;
  curve: CurveWindow[];
  /** Set on merged reports: the runs merged, and notes on anything that did not line up. */
  runs?: RunInfo[];
  warnings?: string[];
}

export const DEFINITIONS: Record<string, string> = {
  ctr: 'clicks / impressions: the click-through rate per shown slot (every shown item gets one IMPRESSION)',
  rewardPerRequest:
    'mean realised reward per answered request: click, add-to-cart and purchase weights (SIM_REWARD_*) applied to the feedback that names the request',
  expectedRewardPerRequest: 'mean expected reward of the served slates under the hidden model, at the state the user was in',
  rewardPerSession: 'mean realised reward per completed session (sessions cut off by the end of the run are left out)',
  oracle:
    'the one-step oracle: for each answered request, the slate with the highest true expected reward given the user state then (expected values; never served). Its rewardPerSession sums those expectations over the same sessions',
  oracleRewardPerRequest: "the oracle's expected reward per request over exactly this policy's requests",
  finalWindow: 'the last 10% of answered requests',
  newItems:
    'items that arrived mid-run; comparableOldItemCtr is the CTR of items present from the start in the same categories, after that category got its first new item, weighted by new-item impressions per category',
  timeouts: 'requests with no action within SIM_ACTION_TIMEOUT_MS: no slate shown, no feedback, left out of the per-policy figures',
};

export interface RunMetadata {
  requests: number;
  world: string;
  scenario: string;
  seed: number;
  catalogSize: number;
  users: number;
  slateSize: number;
  runId: string;
  startedAt: Date;
  wallSeconds: number;
  virtualHours: number;
}

export function buildReport(summary: LedgerSummary, run: RunMetadata): SimulationReport {
  return {
    requests: run.requests,
    answered: summary.answered,
    timeouts: summary.timeouts,
    world: run.world,
    scenario: run.scenario,
    seed: run.seed,
    catalogSize: run.catalogSize,
    users: run.users,
    slateSize: run.slateSize,
    runId: run.runId,
    startedAt: run.startedAt.toISOString(),
    wallSeconds: run.wallSeconds,
    virtualHours: run.virtualHours,
    windowSize: summary.windowSize,
    finalWindowSize: summary.finalWindowSize,
    definitions: DEFINITIONS,
    policies: summary.policies,
    curve: summary.curve,
  };
}

/** The fields every policy entry has. */
export function figuresOf(entry: PolicySummary | OracleSummary): PolicyFigures {
  return {
    requests: entry.requests,
    rewardPerRequest: entry.rewardPerRequest,
    ctr: entry.ctr,
    rewardPerSession: entry.rewardPerSession,
    finalWindow: entry.finalWindow,
    oracleRewardPerRequest: entry.oracleRewardPerRequest,
  };
}
