import { ORACLE_POLICY } from './simulation-ledger';
import { figuresOf, type SimulationReport } from './simulation-report';

/**
 * The report as a fixed-width table for the terminal. "% oracle" is the policy's realised reward per
 * request over the oracle's expected reward per request on the same requests.
 */
export function terminalTable(report: SimulationReport): string {
  const header = ['policy', 'requests', 'reward/req', 'CTR', 'reward/session', 'final reward/req', 'final CTR', '% oracle'];
  const names = Object.keys(report.policies).sort(
    (a, b) => Number(a === ORACLE_POLICY) - Number(b === ORACLE_POLICY) || a.localeCompare(b),
  );
  const rows = names.map((name) => {
    const figures = figuresOf(report.policies[name]);
    const ofOracle = figures.oracleRewardPerRequest > 0 ? (100 * figures.rewardPerRequest) / figures.oracleRewardPerRequest : 0;
    return [
      name,
      String(figures.requests),
      figures.rewardPerRequest.toFixed(3),
      `${(100 * figures.ctr).toFixed(2)}%`,
      figures.rewardPerSession === null ? '-' : figures.rewardPerSession.toFixed(3),
      figures.finalWindow.rewardPerRequest.toFixed(3),
      `${(100 * figures.finalWindow.ctr).toFixed(2)}%`,
      `${ofOracle.toFixed(1)}%`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const title = `world ${report.world ?? 'latent'}, scenario ${report.scenario}, seed ${report.seed}: ${report.requests} requests (${report.timeouts} timeouts), ${report.virtualHours.toFixed(1)} simulated hours`;
  return [title, line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
