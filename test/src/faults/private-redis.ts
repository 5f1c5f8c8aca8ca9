import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../harness';
import { portOpen } from './private-kafka';

/**
 * A Redis of the fault suite's own, with AOF on (as infra/bin/redis-up and compose run it), on its own
 * port and directory: the suite stops and restarts it without touching the Redis other work uses.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  constructor(readonly options: { port: number; dataDir: string; extraArgs?: string[]; /** The port to wait for (a TLS-only Redis: its tls-port). */ waitPort?: number }) {}

  get url(): string {
    return `redis://127.0.0.1:${this.options.port}`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    fs.mkdirSync(this.options.dataDir, { recursive: true });
    const log = path.join(this.options.dataDir, 'redis.log');
    this.child = spawn(
      'redis-server',
      ['--port', String(this.options.port), '--bind', '127.0.0.1', '--dir', this.options.dataDir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--logfile', log, ...(this.options.extraArgs ?? [])],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + timeoutMs;
    while (!(await portOpen(this.options.waitPort ?? this.options.port))) {
      if (this.child.exitCode !== null) throw new Error(`the private Redis exited during start-up (log: ${log})`);
      if (Date.now() > deadline) throw new Error(`the private Redis did not start within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** SIGTERM (Redis flushes the AOF and exits) or SIGKILL (a crash: up to a second of writes lost). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  /** SIGSTOP / SIGCONT: the process stops answering but keeps its connections (the 45 s pause). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    this.resume();
    await this.stop('SIGKILL');
    fs.rmSync(this.options.dataDir, { recursive: true, force: true });
  }
}
