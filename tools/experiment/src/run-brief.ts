import type { LedgerSummary, OracleSummary, PolicySummary } from '@rec/simulator';
import type { ExperimentResult } from './run-experiment';

/** What one experiment is judged by: the served policy's figures, the oracle's, the curve and the learner's counters. */
export interface RunBrief {
  policy: string;
  seed: number;
  settings: Record<string, string>;
  served: {
    rewardPerRequest: number;
    finalRewardPerRequest: number;
    rewardPerSession: number | null;
    ctr: number;
    finalCtr: number;
    /** New items' CTR over comparable old items' (same categories), null when no new item was shown. */
    newItemCtrRatio: number | null;
    /** The same while the new items were young (shown within 5,000 requests of arriving). */
    youngItemCtrRatio: number | null;
  };
  oracle: { rewardPerRequest: number; finalRewardPerRequest: number; rewardPerSession: number | null };
  /** Per window: requests answered by its end, and the served policy's reward per request in it. */
  curve: { windows: number[]; rewardPerRequest: number[] };
  learner: ExperimentResult['learner'];
  /** Samples the learner drew per transition it inserted. */
  samplesPerTransition: number | null;
  /** Gradient updates per wall-clock second of gradient computation (the learner's speed on this machine). */
  updatesPerSecond: number | null;
  /** Model version the actor served at the end (0 for baselines; null through the broker, not reported). */
  finalModelVersion: number | null;
  wallSeconds: number;
}

export function briefOf(result: ExperimentResult): RunBrief {
  return briefOfSummary(result.summary, {
    policy: result.spec.policy,
    seed: result.spec.seed,
    settings: result.spec.env ?? {},
    learner: result.learner,
    finalModelVersion: result.finalModelVersion,
    wallSeconds: result.wallSeconds,
  });
}

/**
 * The brief of a run from its ledger summary: an in-process run's, or the `policies` and `curve` of the
 * report.json the simulator writes after a run through the broker (the same shapes).
 */
export function briefOfSummary(
  summary: Pick<LedgerSummary, 'policies' | 'curve'>,
  run: Pick<RunBrief, 'policy' | 'seed' | 'settings' | 'learner' | 'finalModelVersion' | 'wallSeconds'>,
): RunBrief {
  const entries = Object.entries(summary.policies).filter(([name]) => name !== 'oracle');
  if (entries.length !== 1) throw new Error(`expected one served policy in the ledger, found ${entries.map(([name]) => name).join(', ') || 'none'}`);
  const [servedName, servedSummary] = entries[0];
  const served = servedSummary as PolicySummary;
  const oracle = summary.policies.oracle as OracleSummary;
  const { newItems } = served;
  const { learner } = run;
  return {
    policy: run.policy,
    seed: run.seed,
    settings: run.settings,
    served: {
      rewardPerRequest: served.rewardPerRequest,
      finalRewardPerRequest: served.finalWindow.rewardPerRequest,
      rewardPerSession: served.rewardPerSession,
      ctr: served.ctr,
      finalCtr: served.finalWindow.ctr,
      newItemCtrRatio: ratioOf(newItems.impressions, newItems.ctr, newItems.comparableOldItemCtr),
      youngItemCtrRatio: ratioOf(newItems.young.impressions, newItems.young.ctr, newItems.young.comparableOldItemCtr),
    },
    oracle: { rewardPerRequest: oracle.rewardPerRequest, finalRewardPerRequest: oracle.finalWindow.rewardPerRequest, rewardPerSession: oracle.rewardPerSession },
    curve: {
      windows: summary.curve.map((window) => window.toRequest),
      rewardPerRequest: summary.curve.map((window) => window.policies[servedName]?.rewardPerRequest ?? 0),
    },
    learner,
    samplesPerTransition: learner === null || learner.inserted === 0 ? null : learner.samples / learner.inserted,
    updatesPerSecond: learner === null || learner.gradientSeconds === 0 ? null : learner.steps / learner.gradientSeconds,
    finalModelVersion: run.finalModelVersion,
    wallSeconds: run.wallSeconds,
  };
}

function ratioOf(impressions: number, ctr: number | null, comparable: number | null): number | null {
  return impressions > 0 && comparable !== null && comparable > 0 ? (ctr ?? 0) / comparable : null;
}
