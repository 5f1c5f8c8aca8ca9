import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { REPO_ROOT } from './bench-options';
import { parsePrometheusText, sampleValue, type MetricSample } from './prometheus-text';

export interface ChildServiceSpec {
  /** A label for logs and profiles, e.g. "actor" or "echo-1000". */
  name: string;
  /** The entry point, relative to the repo root, e.g. services/actor/dist/main.js. */
  script: string;
  /** The whole environment of the child (the bench passes process.env plus its namespace). */
  env: NodeJS.ProcessEnv;
  /** Where the child's stdout/stderr are written, as <name>-<pid>.log. */
  logDir: string;
  /** When set, the child runs under `node --cpu-prof` and writes its profile here on exit. */
  cpuProfileDir?: string;
}

/** Every child still running, so an exiting benchmark never leaves one behind. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * A service (or the echo service) running as its own node process, as in production: its log lines are
 * kept in a file, its /metrics are scraped over HTTP, its RSS is read from /proc. Stop it with stop();
 * if the benchmark itself dies, the exit hook kills it.
 */
export class ChildService {
  readonly exited: Promise<number | null>;
  private metricsPortValue: number | null = null;
  private readonly listeners = new Set<(entry: Record<string, unknown>) => void>();
  private readonly recentErrors: string[] = [];
  /** The latest JSON log entries, so a wait can match a line logged before it began. */
  private readonly history: Record<string, unknown>[] = [];
  private readonly logFile: string;
  private exitCode: number | null | undefined = undefined;

  private constructor(
    readonly spec: ChildServiceSpec,
    private readonly child: ChildProcess,
  ) {
    fs.mkdirSync(spec.logDir, { recursive: true });
    this.logFile = path.join(spec.logDir, `${spec.name}-${child.pid}.log`);
    const log = fs.createWriteStream(this.logFile);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        this.onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      this.remember(chunk.toString('utf8'));
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        live.delete(child);
        this.exitCode = code;
        log.end();
        resolve(code);
      });
    });
  }

  /** Spawns the child and waits until it has started its metrics server (log line "runtime started"). */
  static async start(spec: ChildServiceSpec, timeoutMs = 60_000): Promise<ChildService> {
    installExitHook();
    const nodeArgs: string[] = [];
    if (spec.cpuProfileDir !== undefined) {
      fs.mkdirSync(spec.cpuProfileDir, { recursive: true });
      nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${spec.cpuProfileDir}`, `--cpu-prof-name=${spec.name}-${Date.now()}.cpuprofile`);
    }
    const child = spawn(process.execPath, [...nodeArgs, path.join(REPO_ROOT, spec.script)], {
      cwd: REPO_ROOT,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const service = new ChildService(spec, child);
    try {
      const started = await service.waitForLog((entry) => entry.msg === 'runtime started' && typeof entry.metricsPort === 'number', timeoutMs, 'runtime started');
      service.metricsPortValue = started.metricsPort as number;
    } catch (error) {
      await service.stop(2_000);
      throw error;
    }
    return service;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get metricsPort(): number {
    if (this.metricsPortValue === null) throw new Error(`${this.spec.name} has no metrics port yet`);
    return this.metricsPortValue;
  }

  get logPath(): string {
    return this.logFile;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Resolves with the first JSON log line (among the last 1,000 or any later) that `match` accepts; rejects on timeout or exit. */
  waitForLog(match: (entry: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    const earlier = this.history.find(match);
    if (earlier !== undefined) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const finish = (error: Error | null, entry?: Record<string, unknown>) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error === null) resolve(entry!);
        else reject(error);
      };
      const listener = (entry: Record<string, unknown>) => {
        if (match(entry)) finish(null, entry);
      };
      const timer = setTimeout(() => finish(new Error(`${this.spec.name}: no "${what}" within ${timeoutMs} ms (log: ${this.logFile})`)), timeoutMs);
      this.listeners.add(listener);
      void this.exited.then((code) =>
        finish(new Error(`${this.spec.name} exited (code ${code}) before "${what}"; last errors: ${this.recentErrors.join(' | ').slice(-1_500)} (log: ${this.logFile})`)),
      );
    });
  }

  /** The child's /metrics, parsed. */
  async scrape(): Promise<MetricSample[]> {
    return parsePrometheusText(await httpGet(`http://127.0.0.1:${this.metricsPort}/metrics`));
  }

  /** One metric's value (summed over series matching `labels`). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sampleValue(await this.scrape(), name, labels);
  }

  /** Resident set size from /proc/<pid>/status (VmRSS), bytes; null once the process is gone. */
  rssBytes(): number | null {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return match === null ? null : Number(match[1]) * 1024;
    } catch {
      return null;
    }
  }

  /** CPU time (user + system) the process has used so far, seconds; null once it is gone. */
  cpuSeconds(): number | null {
    try {
      const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  }

  /** SIGKILL: a crash, no drain. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the service's own drain), then SIGKILL after `graceMs`. Resolves with the exit code. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private onLine(line: string): void {
    if (!line.startsWith('{')) {
      if (line.trim() !== '') this.remember(line);
      return;
    }
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof entry.level === 'number' && entry.level >= 50) this.remember(String(entry.msg ?? line));
    this.history.push(entry);
    if (this.history.length > 1_000) this.history.shift();
    for (const listener of [...this.listeners]) listener(entry);
  }

  private remember(text: string): void {
    this.recentErrors.push(text.trim().slice(0, 500));
    if (this.recentErrors.length > 5) this.recentErrors.shift();
  }
}

/** GET a URL on this machine; rejects after 5 s. */
export function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}
