import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestNamespace } from './test-namespace';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** One process `infra/bin/start` runs, as its ready table lists it. */
export interface StartedProcess {
  name: string;
  pid: number;
  metricsUrl: string;
  log: string;
}

/** `npm start` (infra/bin/start) running in a test namespace, as an operator would run it. */
export interface StartedPlatform {
  processes: StartedProcess[];
  logDir: string;
  /** Everything the script printed so far. */
  output(): string;
  /** The base URL (http://127.0.0.1:<port>) of the first process whose name starts with `name`. */
  urlOf(name: string): string;
  /** Ctrl-C: SIGINT to the script; resolves with its exit code once it (and so every service) is gone. */
  interrupt(): Promise<number | null>;
}

/** `count` consecutive TCP ports that nothing listens on now, from a random base above 20000. */
export async function freePortRange(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let all = true;
    for (let port = base; port < base + count && all; port += 1) all = await free(port);
    if (all) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/**
 * Runs `bash infra/bin/start` against the test broker and Redis in `ns`, and resolves once it prints that
 * every process is ready (rejects if it exits first, or after `readyTimeoutMs`, with its output).
 */
export async function startPlatform(ns: TestNamespace, options: { env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<StartedPlatform> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `rec-start-${ns.id}-`));
  const portBase = await freePortRange(5);
  const child: ChildProcess = spawn('bash', ['infra/bin/start'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...ns.env,
      START_PORT_BASE: String(portBase),
      START_LOG_DIR: logDir,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`infra/bin/start was not ready after ${options.readyTimeoutMs ?? 180_000} ms:\n${output}`));
    }, options.readyTimeoutMs ?? 180_000);
    const poll = setInterval(() => {
      if (/^start: ready: /m.test(output)) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      }
    }, 100);
    void exited.then((code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`infra/bin/start exited (${code}) before it was ready:\n${output}`));
    });
  });

  // The ready table: "<name> <pid> http://127.0.0.1:<port>/metrics <log>".
  const processes = [...output.matchAll(/^(\S+)\s+(\d+)\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)\s+(\S+)$/gm)].map((match) => ({
    name: match[1],
    pid: Number(match[2]),
    metricsUrl: match[3],
    log: match[4],
  }));
  return {
    processes,
    logDir,
    output: () => output,
    urlOf: (name) => {
      const found = processes.find((entry) => entry.name.startsWith(name));
      if (found === undefined) throw new Error(`no process named ${name}* in ${processes.map((entry) => entry.name).join(', ')}`);
      return found.metricsUrl.replace(/\/metrics$/, '');
    },
    interrupt: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}
