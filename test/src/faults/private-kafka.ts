import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT } from '../bench/bench-options';
import { sleep } from '../harness';

/** Resolves whether something listens on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A Kafka broker of the fault suite's own (KRaft, combined mode), on its own ports and data directory,
 * from the jars infra/bin/kafka-up fetched: the suite stops and restarts it without touching the broker
 * other work uses. `extraProperties` add or override server.properties lines (listeners for SASL_SSL...).
 */
export class PrivateKafka {
  private child: ChildProcess | null = null;
  private readonly propsFile: string;
  private readonly logFile: string;
  private readonly libs = path.join(REPO_ROOT, 'infra', 'kafka', 'libs');

  constructor(
    readonly options: { port: number; controllerPort: number; dataDir: string; extraProperties?: Record<string, string>; heapMb?: number; formatArgs?: string[] },
  ) {
    this.propsFile = path.join(options.dataDir, 'server.properties');
    this.logFile = path.join(options.dataDir, 'kafka.log');
  }

  get brokers(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Writes the config, formats the storage the first time, starts the broker and waits until it serves. */
  async start(timeoutMs = 180_000): Promise<void> {
    if (!fs.existsSync(this.libs)) throw new Error(`no Kafka jars in ${this.libs}: run bash infra/bin/kafka-up once (it fetches them with Maven)`);
    const data = path.join(this.options.dataDir, 'data');
    fs.mkdirSync(data, { recursive: true });
    const template = fs.readFileSync(path.join(REPO_ROOT, 'infra', 'kafka', 'server.properties'), 'utf8')
      .replaceAll('@PORT@', String(this.options.port))
      .replaceAll('@CONTROLLER_PORT@', String(this.options.controllerPort))
      .replaceAll('@DATA_DIR@', data);
    const extra = this.options.extraProperties ?? {};
    const kept = template.split('\n').filter((line) => !Object.keys(extra).some((key) => line.startsWith(`${key}=`)));
    fs.writeFileSync(this.propsFile, [...kept, ...Object.entries(extra).map(([key, value]) => `${key}=${value}`)].join('\n') + '\n');
    const classpath = `${this.libs}/*`;
    const log4j = `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'infra', 'kafka', 'log4j2.yaml')}`;
    if (!fs.existsSync(path.join(data, 'meta.properties'))) {
      const clusterId = execFileSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).trim().split('\n').pop()!.trim();
      execFileSync('java', ['-cp', classpath, log4j, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', this.propsFile, ...(this.options.formatArgs ?? [])], { stdio: 'ignore' });
    }
    const log = fs.openSync(this.logFile, 'a');
    this.child = spawn('java', [`-Xmx${this.options.heapMb ?? 768}m`, '-Xms128m', '-XX:+UseG1GC', '-Djava.awt.headless=true', log4j, '-cp', classpath, 'kafka.Kafka', this.propsFile], {
      stdio: ['ignore', log, log],
      detached: false,
    });
    fs.closeSync(log);
    const deadline = Date.now() + timeoutMs;
    const startedAt = fs.statSync(this.logFile).size;
    for (;;) {
      if (!this.running) throw new Error(`the private broker exited during start-up (log: ${this.logFile})`);
      const tail = fs.readFileSync(this.logFile, 'utf8').slice(startedAt);
      if (tail.includes('Kafka Server started') && (await portOpen(this.options.port))) return;
      if (Date.now() > deadline) throw new Error(`the private broker did not start within ${timeoutMs} ms (log: ${this.logFile})`);
      await sleep(200);
    }
  }

  /** Stops the broker: SIGTERM (a controlled shutdown) or SIGKILL (a crash). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (child === null || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  /** Stops the broker for good and removes its data. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    fs.rmSync(this.options.dataDir, { recursive: true, force: true });
  }
}
