import type { CurveWindow } from './simulation-ledger';

const COLUMNS = ['window', 'fromRequest', 'toRequest', 'policy', 'requests', 'rewardPerRequest', 'ctr', 'clicksPerRequest', 'expectedRewardPerRequest', 'oracleRewardPerRequest'] as const;

/** The learning curve as CSV: one row per window and policy (the oracle included). */
export function learningCurveCsv(curve: readonly CurveWindow[]): string {
  const rows: string[] = [COLUMNS.join(',')];
  for (const window of curve) {
    for (const [policy, entry] of Object.entries(window.policies)) {
      rows.push(
        [
          window.window,
          window.fromRequest,
          window.toRequest,
          csvField(policy),
          entry.requests,
          entry.rewardPerRequest,
          entry.ctr,
          entry.clicksPerRequest,
          entry.expectedRewardPerRequest,
          entry.oracleRewardPerRequest,
        ].join(','),
      );
    }
  }
  return rows.join('\n') + '\n';
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
