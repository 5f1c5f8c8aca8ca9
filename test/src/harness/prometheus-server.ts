import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePortRange } from './started-platform';
import { waitFor } from './wait';

/** One scrape target: the job name (the service's role) and its host:port. */
export interface ScrapeTarget {
  job: string;
  address: string;
}

/** A Prometheus server (Debian's `prometheus`) scraping the given targets, with the repo's rules loaded. */
export interface PrometheusServer {
  url: string;
  /** An instant query; resolves to the result vector (or scalar as one sample). */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** /api/v1/rules: every rule with its health and last error. */
  rules(): Promise<Array<{ name: string; type: string; query: string; health: string; lastError?: string }>>;
  stop(): Promise<void>;
}

export const PROMETHEUS_BINARY = process.env.PROMETHEUS_BINARY ?? 'prometheus';

/** True when Debian's prometheus (or PROMETHEUS_BINARY) runs here. */
export function prometheusInstalled(): boolean {
  return spawnSync(PROMETHEUS_BINARY, ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * Starts Prometheus on a free port, scraping `targets` every second (1 s timeout) and evaluating `ruleFiles` every
 * second, with its data in a temporary folder; resolves once it answers /-/ready.
 */
export async function startPrometheus(targets: ScrapeTarget[], ruleFiles: string[]): Promise<PrometheusServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-prometheus-'));
  const port = await freePortRange(1);
  const jobs = [...new Set(targets.map((target) => target.job))];
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...ruleFiles.map((file) => `  - ${JSON.stringify(path.resolve(file))}`),
    'scrape_configs:',
    ...jobs.flatMap((job) => [
      `  - job_name: ${JSON.stringify(job)}`,
      '    static_configs:',
      `      - targets: ${JSON.stringify(targets.filter((target) => target.job === job).map((target) => target.address))}`,
    ]),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), `${config}\n`);
  let output = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BINARY,
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${output}`);
      return (await fetch(`${url}/-/ready`).then((response) => response.ok).catch(() => false)) === true;
    },
    { what: 'prometheus to be ready', timeoutMs: 30_000, intervalMs: 200 },
  );
  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const response = await fetch(`${url}${pathAndQuery}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${body.error ?? response.status}`);
    return body.data;
  };
  // Target discovery reaches the scrape loop a few seconds after start (it is batched): wait until every
  // target has been scraped once, so the first query already sees them all.
  await waitFor(
    async () => {
      const { activeTargets } = await api<{ activeTargets: Array<{ health: string }> }>('/api/v1/targets');
      return activeTargets.length === targets.length && activeTargets.every((target) => target.health !== 'unknown');
    },
    { what: 'prometheus to scrape every target once', timeoutMs: 60_000, intervalMs: 250 },
  );
  return {
    url,
    query: async (expr) => {
      const data = await api<{ resultType: string; result: unknown }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
      return data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    },
    rules: async () => {
      const data = await api<{ groups: Array<{ rules: Array<{ name: string; type: string; query: string; health: string; lastError?: string }> }> }>('/api/v1/rules');
      return data.groups.flatMap((group) => group.rules);
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
