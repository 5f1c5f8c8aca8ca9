import * as path from 'node:path';
import { ChildService, httpGet } from '../bench/child-service';
import { sleep } from '../harness';

export const SERVICE_NAMES = ['parameter-server', 'learner', 'joiner', 'actor'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Settings of the services under fault: small model, short waits, a 10 s group session. */
export const FAULT_SERVICE_ENV: Record<string, string> = {
  // FAULTS_LOG_LEVEL=trace also logs the offsets of every batch each service fetched.
  LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'info',
  MODEL_HIDDEN_SIZES: '32,32,16',
  LEARNER_WARMUP: '32',
  LEARNER_BATCH_SIZE: '32',
  LEARNER_MAX_SAMPLES_PER_INSERT: '4',
  KAFKA_SESSION_TIMEOUT_MS: '10000',
  // Each user comes back after the session timeout, so a request's transitions are emitted at the
  // session timeout, after its feedback (sent as soon as the action arrives) has been folded in.
  JOINER_REWARD_WAIT_MS: '8000',
  JOINER_SESSION_TIMEOUT_MS: '8000',
  JOINER_JOIN_WAIT_MS: '1000',
  JOINER_SWEEP_INTERVAL_MS: '100',
  PS_PUBLISH_INTERVAL_MS: '200',
  PS_PUBLISH_EVERY_UPDATES: '5',
  REDIS_COMMAND_TIMEOUT_MS: '2000',
  SHUTDOWN_TIMEOUT_MS: '10000',
  KAFKA_START_FROM: 'earliest',
};

/**
 * The four services as their own node processes (as in production), pointed at one namespace of the
 * fault suite's broker and Redis. A fault kills (-9), stops or restarts one of them.
 */
export class FaultStack {
  private readonly services = new Map<ServiceName, ChildService>();

  constructor(private readonly options: { env: NodeJS.ProcessEnv; logDir: string }) {}

  async start(name: ServiceName): Promise<ChildService> {
    const service = await ChildService.start({
      name,
      script: path.join('services', name, 'dist', 'main.js'),
      env: { ...process.env, ...FAULT_SERVICE_ENV, ...this.options.env, METRICS_PORT: '0' },
      logDir: this.options.logDir,
    }, 120_000);
    this.services.set(name, service);
    return service;
  }

  async startAll(): Promise<void> {
    // The parameter server first: learners wait for its weights.
    for (const name of SERVICE_NAMES) await this.start(name);
  }

  get(name: ServiceName): ChildService {
    const service = this.services.get(name);
    if (service === undefined) throw new Error(`${name} is not running`);
    return service;
  }

  async kill(name: ServiceName): Promise<void> {
    await this.get(name).kill();
  }

  /** Whether every service answers /readyz with 200. */
  async allReady(): Promise<boolean> {
    return (await this.notReady()).length === 0;
  }

  /** The /readyz answer of every service that is not ready ("<name>: <body>"). */
  async notReady(): Promise<string[]> {
    const answers: string[] = [];
    for (const [name, service] of this.services) {
      if (!service.running) {
        answers.push(`${name}: not running`);
        continue;
      }
      try {
        const body = await httpGet(`http://127.0.0.1:${service.metricsPort}/readyz`);
        if (!body.startsWith('ready')) answers.push(`${name}: ${body.trim()}`);
      } catch (error) {
        answers.push(`${name}: ${(error as Error).message}`);
      }
    }
    return answers;
  }

  async waitAllReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.allReady())) {
      if (Date.now() > deadline) throw new Error('the services did not all become ready');
      await sleep(250);
    }
  }

  /** Services that exited on their own (a crash): none may, except the one a fault killed. */
  crashed(): ServiceName[] {
    return [...this.services].filter(([, service]) => !service.running).map(([name]) => name);
  }

  /** A metric summed over one service's series. */
  metric(name: ServiceName, metric: string, labels: Record<string, string> = {}): Promise<number> {
    return this.get(name).metric(metric, labels);
  }

  async stopAll(): Promise<(number | null)[]> {
    const codes: (number | null)[] = [];
    for (const name of [...SERVICE_NAMES].reverse()) {
      const service = this.services.get(name);
      if (service !== undefined) codes.push(await service.stop(15_000));
    }
    this.services.clear();
    return codes;
  }
}
