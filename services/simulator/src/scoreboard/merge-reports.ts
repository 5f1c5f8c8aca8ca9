import * as path from 'node:path';
import { ORACLE_POLICY, type CurveWindow, type OracleSummary, type PolicySummary, type RateSummary } from './simulation-ledger';
import type { RunInfo, SimulationReport } from './simulation-report';

export interface ReportInput {
  /** Where the report came from (its directory): names a policy that two runs share. */
  source: string;
  report: SimulationReport;
}

/**
 * Combines several runs' reports (typically one per policy, same seed and scenario) into one: every
 * run's served policies side by side (a name two runs share gets "@<run directory>" appended), the
 * oracle from the first run (each run computes it on its own requests; with the same seed those are
 * the same users and nearly the same requests: `warnings` gives the spread), and one learning curve
 * whose windows are aligned by index. With `nameByRun`, each single-policy run's policy takes the name of
 * its run directory instead (the demo's runs: random, popularity, ddqn-gamma0, ddqn-gamma0.9).
 */
export function mergeReports(inputs: readonly ReportInput[], options: { nameByRun?: boolean } = {}): SimulationReport {
  if (inputs.length === 0) throw new Error('no reports to merge');
  const [first] = inputs;
  const warnings: string[] = [];
  const policies: Record<string, PolicySummary | OracleSummary> = {};
  const renamed: Map<string, string>[] = [];
  const runs: RunInfo[] = [];

  for (const { source, report } of inputs) {
    const names = new Map<string, string>();
    for (const [name, entry] of Object.entries(report.policies)) {
      if (name === ORACLE_POLICY) continue;
      // nameByRun: a run's policy is named after its directory (e.g. ddqn-gamma0.9), when it served one.
      const servedOne = Object.keys(report.policies).filter((other) => other !== ORACLE_POLICY).length === 1;
      const merged =
        options.nameByRun === true && servedOne ? path.basename(source) : policies[name] === undefined ? name : `${name}@${path.basename(source)}`;
      policies[merged] = entry;
      names.set(name, merged);
    }
    renamed.push(names);
    runs.push({
      source,
      runId: report.runId,
      world: report.world ?? 'latent',
      scenario: report.scenario,
      seed: report.seed,
      requests: report.requests,
      answered: report.answered,
      timeouts: report.timeouts,
      policies: [...names.values()],
    });
    if ((report.world ?? 'latent') !== (first.report.world ?? 'latent')) {
      warnings.push(`${source}: world ${report.world ?? 'latent'} differs from ${first.source}'s ${first.report.world ?? 'latent'}`);
    }
    for (const field of ['scenario', 'seed', 'requests', 'catalogSize', 'users', 'slateSize'] as const) {
      if (report[field] !== first.report[field]) {
        warnings.push(`${source}: ${field} ${String(report[field])} differs from ${first.source}'s ${String(first.report[field])}`);
      }
    }
  }

  const oracle = first.report.policies[ORACLE_POLICY];
  if (oracle !== undefined) policies[ORACLE_POLICY] = oracle;
  const oracleRewards = inputs
    .map(({ report }) => report.policies[ORACLE_POLICY]?.rewardPerRequest)
    .filter((value): value is number => value !== undefined);
  if (oracleRewards.length > 1) {
    warnings.push(
      `oracle reward per request ranges ${Math.min(...oracleRewards).toFixed(4)}..${Math.max(...oracleRewards).toFixed(4)} across runs; the merged report shows ${first.source}'s`,
    );
  }

  const windows = Math.max(...inputs.map(({ report }) => report.curve.length));
  const curve: CurveWindow[] = Array.from({ length: windows }, (_, index) => {
    const entries: Record<string, RateSummary> = {};
    let fromRequest = Number.POSITIVE_INFINITY;
    let toRequest = 0;
    inputs.forEach(({ report }, run) => {
      const window = report.curve[index];
      if (window === undefined) return;
      fromRequest = Math.min(fromRequest, window.fromRequest);
      toRequest = Math.max(toRequest, window.toRequest);
      for (const [name, entry] of Object.entries(window.policies)) {
        if (name === ORACLE_POLICY) {
          if (run === 0) entries[ORACLE_POLICY] = entry;
          continue;
        }
        entries[renamed[run].get(name) ?? name] = entry;
      }
    });
    return { window: index, fromRequest: Number.isFinite(fromRequest) ? fromRequest : 0, toRequest, policies: entries };
  });

  return {
    ...first.report,
    runId: inputs.map(({ report }) => report.runId).join('+'),
    requests: Math.max(...inputs.map(({ report }) => report.requests)),
    answered: Math.max(...inputs.map(({ report }) => report.answered)),
    timeouts: inputs.reduce((sum, { report }) => sum + report.timeouts, 0),
    wallSeconds: inputs.reduce((sum, { report }) => sum + report.wallSeconds, 0),
    policies,
    curve,
    runs,
    warnings,
  };
}
