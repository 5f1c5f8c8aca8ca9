import type { ExperimentPolicy } from './run-experiment';
import type { RunBrief } from './run-brief';
import { intervalOf, pairedDifference, type Interval } from './seed-statistics';

/** One finished run of the evaluation grid. */
export interface RunOutcome {
  world: string;
  policy: ExperimentPolicy;
  seed: number;
  result: RunBrief;
}

export interface PolicyEvaluation {
  finalRewardPerRequest: Interval;
  rewardPerRequest: Interval;
  rewardPerSession: Interval;
  finalCtr: Interval;
  /** New items' CTR over comparable old items', over the seeds where new items were shown. */
  newItemCtrRatio: Interval;
  /** The same for new items within 5,000 requests of arriving (runs from before the field: not counted). */
  youngItemCtrRatio: Interval;
  /** Per seed, in the order of `seeds`. */
  perSeed: { seed: number; finalRewardPerRequest: number; rewardPerSession: number | null }[];
  /** Learner figures (model policies only). */
  samplesPerTransition: Interval | null;
  updatesPerSecond: Interval | null;
}

export interface WorldEvaluation {
  oracle: { rewardPerRequest: number; finalRewardPerRequest: number; rewardPerSession: number | null };
  policies: Record<string, PolicyEvaluation>;
  /**
   * Paired over seeds: `ddqn / popularity` (final reward per request, ratio), `ddqn / oracle` (final,
   * fraction of the oracle's expected reward) and `<gamma > 0 policy> - ddqn-gamma0` (reward per session,
   * difference).
   */
  comparisons: Record<string, Interval>;
  /** Mean learning curve per policy with its 95% band (for the chart). */
  curve: { windows: number[]; policies: Record<string, { mean: number[]; lo: number[]; hi: number[] }> };
}

export interface Evaluation {
  requests: number;
  seeds: number[];
  settings: Record<string, string>;
  worlds: Record<string, WorldEvaluation>;
}

/** The evaluation grid's figures per world and policy, as means over seeds with 95% intervals. */
export function summarizeEvaluation(
  outcomes: readonly RunOutcome[],
  grid: { requests: number; seeds: number[]; worlds: string[]; policies: ExperimentPolicy[]; settings: Record<string, string> },
): Evaluation {
  const worlds: Record<string, WorldEvaluation> = {};
  for (const world of grid.worlds) {
    const runsOf = (policy: string): RunBrief[] =>
      grid.seeds.map((seed) => {
        const run = outcomes.find((outcome) => outcome.world === world && outcome.policy === policy && outcome.seed === seed);
        if (run === undefined) throw new Error(`missing run ${world}/${policy}/seed ${seed}`);
        return run.result;
      });
    const first = runsOf(grid.policies[0]);
    const policies: Record<string, PolicyEvaluation> = {};
    const curves: WorldEvaluation['curve']['policies'] = {};
    for (const policy of grid.policies) {
      const runs = runsOf(policy);
      policies[policy] = {
        finalRewardPerRequest: intervalOf(runs.map((run) => run.served.finalRewardPerRequest)),
        rewardPerRequest: intervalOf(runs.map((run) => run.served.rewardPerRequest)),
        rewardPerSession: intervalOf(runs.map((run) => run.served.rewardPerSession ?? 0)),
        finalCtr: intervalOf(runs.map((run) => run.served.finalCtr)),
        newItemCtrRatio: intervalOf(runs.flatMap((run) => (run.served.newItemCtrRatio === null ? [] : [run.served.newItemCtrRatio]))),
        youngItemCtrRatio: intervalOf(runs.flatMap((run) => (run.served.youngItemCtrRatio === null || run.served.youngItemCtrRatio === undefined ? [] : [run.served.youngItemCtrRatio]))),
        perSeed: runs.map((run) => ({ seed: run.seed, finalRewardPerRequest: run.served.finalRewardPerRequest, rewardPerSession: run.served.rewardPerSession })),
        samplesPerTransition: runs[0].samplesPerTransition === null ? null : intervalOf(runs.map((run) => run.samplesPerTransition ?? 0)),
        updatesPerSecond: runs[0].updatesPerSecond === null ? null : intervalOf(runs.map((run) => run.updatesPerSecond ?? 0)),
      };
      const windows = runs[0].curve.rewardPerRequest.length;
      const perWindow = Array.from({ length: windows }, (_, index) => intervalOf(runs.map((run) => run.curve.rewardPerRequest[index] ?? 0)));
      curves[policy] = { mean: perWindow.map((interval) => interval.mean), lo: perWindow.map((interval) => interval.lo), hi: perWindow.map((interval) => interval.hi) };
    }
    const comparisons: Record<string, Interval> = {};
    const finals = (policy: string) => runsOf(policy).map((run) => run.served.finalRewardPerRequest);
    if (grid.policies.includes('ddqn') && grid.policies.includes('popularity')) {
      const popularity = finals('popularity');
      comparisons['ddqn / popularity'] = intervalOf(finals('ddqn').map((value, index) => value / popularity[index]));
    }
    if (grid.policies.includes('ddqn')) {
      comparisons['ddqn / oracle'] = intervalOf(runsOf('ddqn').map((run) => run.served.finalRewardPerRequest / run.oracle.finalRewardPerRequest));
    }
    const perSession = (policy: string) => runsOf(policy).map((run) => run.served.rewardPerSession ?? 0);
    for (const longTerm of ['ddqn', 'ddqn-gamma0.9'] as const) {
      if (!grid.policies.includes(longTerm) || !grid.policies.includes('ddqn-gamma0')) continue;
      const a = runsOf(longTerm);
      const b = runsOf('ddqn-gamma0');
      // The same runs (ddqn at a default discount of 0) have nothing to compare.
      if (a.every((run, index) => run === b[index])) continue;
      comparisons[`${longTerm} - ddqn-gamma0 (reward per session)`] = pairedDifference(perSession(longTerm), perSession('ddqn-gamma0'));
    }
    worlds[world] = {
      oracle: {
        rewardPerRequest: mean(first.map((run) => run.oracle.rewardPerRequest)),
        finalRewardPerRequest: mean(first.map((run) => run.oracle.finalRewardPerRequest)),
        rewardPerSession: first.some((run) => run.oracle.rewardPerSession === null) ? null : mean(first.map((run) => run.oracle.rewardPerSession ?? 0)),
      },
      policies,
      comparisons,
      curve: { windows: first[0].curve.windows, policies: curves },
    };
  }
  return { requests: grid.requests, seeds: grid.seeds, settings: grid.settings, worlds };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
