import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
    readonly options: {
      port: number;
      controllerPort: number;
      dataDir: string;
      extraProperties?: Record<string, string>;
      heapMb?: number;
      formatArgs?: string[];
      /** The cluster id the storage is formatted with (every node of a cluster shares one); default: a new one. */
      clusterId?: string;
    },
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
      const clusterId = this.options.clusterId ?? execFileSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).trim().split('\n').pop()!.trim();
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

/**
 * Three (or more) PrivateKafka nodes as one KRaft cluster: every node is broker and controller (combined
 * mode, a static quorum of all of them, so losing one leaves a majority), node ids 1..n, one cluster id.
 * Topics created with the broker default (`replicationFactor: -1`, as ensureTopics and the services do)
 * get `replicationFactor` replicas and `min.insync.replicas` `minInsyncReplicas`: the replication the
 * services run on is the brokers' configuration, not theirs (DESIGN.md section 5). The internal topics
 * (group offsets, transactions) are replicated the same way.
 */
export class PrivateKafkaCluster {
  readonly nodes: PrivateKafka[];

  constructor(options: { nodes: { port: number; controllerPort: number }[]; dataDir: string; replicationFactor?: number; minInsyncReplicas?: number; heapMb?: number }) {
    const replicas = String(options.replicationFactor ?? options.nodes.length);
    const minInsync = String(options.minInsyncReplicas ?? Math.max(1, options.nodes.length - 1));
    // A Kafka Uuid is 16 random bytes in URL-safe base64 without padding (what StorageTool random-uuid prints).
    const clusterId = randomBytes(16).toString('base64url');
    const voters = options.nodes.map((node, index) => `${index + 1}@127.0.0.1:${node.controllerPort}`).join(',');
    this.nodes = options.nodes.map(
      (node, index) =>
        new PrivateKafka({
          port: node.port,
          controllerPort: node.controllerPort,
          dataDir: path.join(options.dataDir, `node-${index + 1}`),
          heapMb: options.heapMb ?? 512,
          clusterId,
          extraProperties: {
            'node.id': String(index + 1),
            'controller.quorum.voters': voters,
            'default.replication.factor': replicas,
            'min.insync.replicas': minInsync,
            'offsets.topic.replication.factor': replicas,
            'transaction.state.log.replication.factor': replicas,
            'transaction.state.log.min.isr': minInsync,
            'share.coordinator.state.topic.replication.factor': replicas,
            'share.coordinator.state.topic.min.isr': minInsync,
          },
        }),
    );
  }

  /** Every node's client address, comma-separated (KAFKA_BROKERS). */
  get brokers(): string {
    return this.nodes.map((node) => node.brokers).join(',');
  }

  /** The node with this node.id (1-based). */
  node(nodeId: number): PrivateKafka {
    const node = this.nodes[nodeId - 1];
    if (node === undefined) throw new Error(`no node ${nodeId} in a cluster of ${this.nodes.length}`);
    return node;
  }

  /** Starts every node at once: each waits for a quorum of the others before it serves. */
  async start(timeoutMs = 180_000): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.start(timeoutMs)));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.destroy()));
  }
}
