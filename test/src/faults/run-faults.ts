/**
 * The fault-injection suite: `npm run faults` (every fault) or `node test/dist/faults/run-faults.js --quick`
 * (the short set .ci/run runs). It starts a Kafka broker and a Redis of its own (AOF on) on other ports,
 * in a temporary directory, behind TCP proxies, and for each fault runs the four services as their own
 * processes under a steady platform load, injects the fault, heals it, drains, and reconciles from the
 * topics themselves: every request answered, every shown item's transition emitted once, every click's
 * reward counted once, model versions never going back, no service crashing. It prints a table, writes
 * results/faults.json (rows {fault, sent, lost, duplicated, recoverySeconds}, plus details) and exits 1
 * when a fault lost or doubled anything that must not be, or a service did not recover.
 *
 * The case `kill -9 one of three brokers` runs on a three-broker KRaft cluster of its own instead
 * (PrivateKafkaCluster: combined broker+controller nodes, replication 3, min.insync.replicas 2 as the
 * brokers' defaults, so the topics the suite and the services create get them), the services pointed at
 * all three brokers directly; the cluster is started for that case and removed after it.
 *
 * Env: FAULTS_PORT_BASE (twelve consecutive ports; default: free ones from a random base), FAULTS_RESULTS_DIR (results), FAULTS_ONLY (a
 * comma-separated list of fault names to run).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createKafka, createLogger, dlqTopic, ensureTopics, topicSpecs } from '@rec/shared';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { REPO_ROOT } from '../bench/bench-options';
import { TcpProxy, sleep, testNamespace, type TestNamespace } from '../harness';
import { FaultPlatform } from './fault-platform';
import { FAULT_SERVICE_ENV, FaultStack, SERVICE_NAMES, type ServiceName } from './fault-stack';
import { fuzzPayloads } from './fuzz-payloads';
import { PrivateKafka, PrivateKafkaCluster, portOpen } from './private-kafka';
import { PrivateRedis } from './private-redis';
import { mergeRows, reconcile, recoverySeconds, servingDuring, type FaultRow } from './reconcile';

const quick = process.argv.includes('--quick');
type Ports = { broker: number; direct: number; controller: number; kafkaProxy: number; redis: number; redisProxy: number; cluster: { port: number; controllerPort: number }[] };
let ports: Ports;
const CLUSTER_SIZE = 3;
const portsFrom = (base: number): Ports => ({
  broker: base,
  direct: base + 1,
  controller: base + 2,
  kafkaProxy: base + 3,
  redis: base + 4,
  redisProxy: base + 5,
  cluster: Array.from({ length: CLUSTER_SIZE }, (_, index) => ({ port: base + 6 + 2 * index, controllerPort: base + 7 + 2 * index })),
});
const allPorts = (chosen: Ports): [string, number][] => [
  ...Object.entries(chosen).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  ...chosen.cluster.flatMap((node, index): [string, number][] => [[`cluster node ${index + 1}`, node.port], [`cluster node ${index + 1} controller`, node.controllerPort]]),
];

/** FAULTS_PORT_BASE, or twelve free consecutive ports from a random base (two runs side by side do not collide). */
async function choosePorts(): Promise<Ports> {
  if (process.env.FAULTS_PORT_BASE !== undefined) return portsFrom(Number(process.env.FAULTS_PORT_BASE));
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const candidate = portsFrom(20_000 + Math.floor(Math.random() * 9_000));
    const taken = await Promise.all(allPorts(candidate).map(([, port]) => portOpen(port)));
    if (!taken.some(Boolean)) return candidate;
  }
  throw new Error('no twelve free consecutive ports found; set FAULTS_PORT_BASE');
}
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-faults-'));
const resultsDir = path.resolve(REPO_ROOT, process.env.FAULTS_RESULTS_DIR ?? 'results');
const only = process.env.FAULTS_ONLY?.split(',').map((name) => name.trim());
const log = (line: string) => process.stdout.write(`faults: ${line}\n`);

/** Everything a fault acts on. */
interface World {
  kafka: PrivateKafka;
  redis: PrivateRedis;
  kafkaProxy: TcpProxy;
  redisProxy: TcpProxy;
  /** The three-broker cluster, for the cases that run on it (null otherwise). */
  cluster: PrivateKafkaCluster | null;
  /** A client of the broker(s) the case runs on (the single broker's direct listener, or the cluster). */
  admin: Kafka;
  stack: FaultStack;
  /** What the fault wants in its row's detail (e.g. which broker it killed). */
  notes: Record<string, number | string | boolean | null>;
}

interface FaultCase {
  name: string;
  inQuick: boolean;
  /** Runs on the three-broker cluster, the services pointed at all three brokers. */
  cluster?: boolean;
  inject(world: World): Promise<void>;
  /** How long the fault lasts before heal(). */
  holdMs: number;
  heal(world: World): Promise<void>;
}

const killAndRestart = (name: ServiceName, inQuick: boolean): FaultCase => ({
  name: `kill -9 ${name}`,
  inQuick,
  inject: (world) => world.stack.kill(name),
  holdMs: 2_000,
  heal: async (world) => void (await world.stack.start(name)),
});

const CASES: FaultCase[] = [
  killAndRestart('actor', false),
  killAndRestart('joiner', true),
  killAndRestart('learner', false),
  killAndRestart('parameter-server', false),
  {
    name: 'broker restart',
    inQuick: true,
    inject: (world) => world.kafka.stop('SIGTERM'),
    holdMs: 5_000,
    heal: (world) => world.kafka.start(),
  },
  {
    name: 'redis restart',
    inQuick: true,
    inject: (world) => world.redis.stop('SIGTERM'),
    holdMs: 5_000,
    heal: (world) => world.redis.start(),
  },
  {
    name: 'redis pause 45 s',
    inQuick: false,
    inject: async (world) => world.redis.pause(),
    holdMs: 45_000,
    heal: async (world) => world.redis.resume(),
  },
  {
    name: 'network stall 20 s',
    inQuick: false,
    inject: async (world) => {
      world.kafkaProxy.stall();
      world.redisProxy.stall();
    },
    holdMs: 20_000,
    heal: async (world) => {
      world.kafkaProxy.resume();
      world.redisProxy.resume();
    },
  },
  {
    // The broker that leads the most partitions (group coordinators included) dies without a word; the
    // other two keep a quorum, the controller fences it (broker.session.timeout.ms, 9 s) and moves its
    // leaderships; writes go on with two in-sync replicas. Restarted after 20 s, it catches up.
    name: 'kill -9 one of three brokers',
    inQuick: false,
    cluster: true,
    inject: async (world) => {
      const victim = await busiestBroker(world.admin);
      world.notes.killedNode = victim;
      await clusterOf(world).node(victim).stop('SIGKILL');
    },
    holdMs: 20_000,
    heal: (world) => clusterOf(world).node(Number(world.notes.killedNode)).start(),
  },
];

function clusterOf(world: World): PrivateKafkaCluster {
  if (world.cluster === null) throw new Error('this fault runs on the three-broker cluster');
  return world.cluster;
}

/** The node.id leading the most partitions of every topic (the group coordinators' __consumer_offsets too). */
async function busiestBroker(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const leaders = new Map<number, number>();
    for (const topic of (await admin.fetchTopicMetadata()).topics) {
      for (const partition of topic.partitions) leaders.set(partition.leader, (leaders.get(partition.leader) ?? 0) + 1);
    }
    const [busiest] = [...leaders].filter(([leader]) => leader >= 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    if (busiest === undefined) throw new Error('no partition has a leader');
    return busiest[0];
  } finally {
    await admin.disconnect();
  }
}

/** The smallest replica count of any partition of the namespace's topics, and their min.insync.replicas values. */
async function replicationOf(kafka: Kafka, topics: string[]): Promise<{ replicationFactor: number; minInsyncReplicas: string }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    const replicationFactor = Math.min(...metadata.topics.flatMap((topic) => topic.partitions.map((partition) => partition.replicas.length)));
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] })) });
    const values = new Set(described.resources.map((resource) => resource.configEntries.find((entry) => entry.configName === 'min.insync.replicas')?.configValue ?? '?'));
    return { replicationFactor, minInsyncReplicas: [...values].join(',') };
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  ports = await choosePorts();
  for (const [name, port] of allPorts(ports)) {
    if (await portOpen(port)) throw new Error(`port ${port} (${name}) is taken: set FAULTS_PORT_BASE to twelve free consecutive ports`);
  }
  const selected = CASES.filter((fault) => (!quick || fault.inQuick) && (only === undefined || only.includes(fault.name)));
  const fuzz = only === undefined || only.some((name) => name.startsWith('fuzz'));
  // The single broker serves every case but the cluster's, and the fuzzing.
  const needsBroker = fuzz || selected.some((fault) => fault.cluster !== true);
  const kafka = new PrivateKafka({
    port: ports.broker,
    controllerPort: ports.controller,
    dataDir: path.join(workDir, 'kafka'),
    extraProperties: {
      // Services reach the broker through the proxy (its advertised address); the platform and the
      // suite's admin use a direct listener, so a network stall cuts the services off, not the shop.
      listeners: `PLAINTEXT://127.0.0.1:${ports.broker},DIRECT://127.0.0.1:${ports.direct},CONTROLLER://127.0.0.1:${ports.controller}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${ports.kafkaProxy},DIRECT://127.0.0.1:${ports.direct}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,DIRECT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'DIRECT',
    },
  });
  const redis = new PrivateRedis({ port: ports.redis, dataDir: path.join(workDir, 'redis') });
  const kafkaProxy = new TcpProxy('127.0.0.1', ports.broker);
  const redisProxy = new TcpProxy('127.0.0.1', ports.redis);
  let cluster: PrivateKafkaCluster | null = null;
  const rows: FaultRow[] = [];
  const failures: string[] = [];
  const silent = createLogger('faults', 'silent');
  try {
    log(`starting ${needsBroker ? `a private broker (127.0.0.1:${ports.broker}, proxy ${ports.kafkaProxy}) and ` : ''}Redis (${ports.redis}, proxy ${ports.redisProxy}) in ${workDir}`);
    await Promise.all([needsBroker ? kafka.start() : undefined, redis.start(), needsBroker ? kafkaProxy.start(ports.kafkaProxy) : undefined, redisProxy.start(ports.redisProxy)]);
    const admin = createKafka({ clientId: 'faults', brokers: [`127.0.0.1:${ports.direct}`], logger: silent });
    for (const fault of selected) {
      let world: Omit<World, 'stack' | 'notes'> = { kafka, redis, kafkaProxy, redisProxy, cluster: null, admin };
      if (fault.cluster === true) {
        cluster = new PrivateKafkaCluster({ nodes: ports.cluster, dataDir: path.join(workDir, 'cluster') });
        log(`starting a three-broker KRaft cluster (${cluster.brokers}; replication 3, min.insync.replicas 2)`);
        await cluster.start();
        world = { ...world, cluster, admin: createKafka({ clientId: 'faults-cluster', brokers: cluster.brokers.split(','), logger: silent }) };
      }
      const row = await runCase(fault, world);
      if (cluster !== null) {
        await cluster.destroy();
        cluster = null;
      }
      rows.push(row);
      failures.push(...verdict(row, fault));
      log(`${row.fault}: sent ${row.sent}, lost ${row.lost}, duplicated ${row.duplicated}, recovered in ${row.recoverySeconds ?? 'never'} s ${JSON.stringify(row.detail)}`);
    }
    if (fuzz) {
      const fuzzRows = await runFuzz({ kafka, redis, kafkaProxy, redisProxy, cluster: null, admin });
      for (const row of fuzzRows) {
        rows.push(row);
        if (row.lost > 0 || row.duplicated > 0 || row.detail.crashed !== 'none' || row.recoverySeconds === null) failures.push(`${row.fault}: ${JSON.stringify(row)}`);
        log(`${row.fault}: sent ${row.sent}, lost ${row.lost}, duplicated ${row.duplicated} ${JSON.stringify(row.detail)}`);
      }
    }
  } finally {
    await kafkaProxy.stop();
    await redisProxy.stop();
    await cluster?.destroy();
    await kafka.destroy();
    await redis.destroy();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  fs.mkdirSync(resultsDir, { recursive: true });
  const resultsFile = path.join(resultsDir, 'faults.json');
  // FAULTS_ONLY replaces its own rows in the results file and keeps the others' (a rerun of one fault).
  const written = only === undefined ? rows : mergeRows(readRows(resultsFile), rows);
  fs.writeFileSync(resultsFile, JSON.stringify(written, null, 2) + '\n');
  process.stdout.write(table(rows));
  if (failures.length > 0) {
    log(`FAILED:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  log(`passed; ${path.relative(REPO_ROOT, resultsFile)} has ${written.length} rows`);
  process.exit(0);
}

function readRows(file: string): FaultRow[] {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as FaultRow[];
  } catch {
    return [];
  }
}

/** What must hold after a fault: nothing lost, no transition or reward doubled, versions monotonic, recovered. */
function verdict(row: FaultRow, fault: FaultCase): string[] {
  const problems: string[] = [];
  const detail = row.detail;
  if (row.lost > 0) problems.push(`${fault.name}: lost ${row.lost} (${JSON.stringify(detail)})`);
  if (Number(detail.duplicateTransitions) > 0 || Number(detail.doubledRewards) > 0) problems.push(`${fault.name}: a transition or a reward counted twice (${JSON.stringify(detail)})`);
  if (detail.versionWentBack === true) problems.push(`${fault.name}: the model version went back`);
  if (detail.appliedAtMostOnce === false) problems.push(`${fault.name}: more versions than gradients (one applied twice)`);
  if (detail.crashed !== 'none') problems.push(`${fault.name}: a service exited on its own: ${String(detail.crashed)}`);
  if (row.recoverySeconds === null) problems.push(`${fault.name}: did not recover`);
  if (detail.readyAtEnd !== true) problems.push(`${fault.name}: not ready at the end: ${String(detail.readyAtEnd)}`);
  if (fault.cluster === true && (detail.replicationFactor !== CLUSTER_SIZE || detail.minInsyncReplicas !== '2')) {
    problems.push(`${fault.name}: the topics have ${String(detail.replicationFactor)} replicas and min.insync.replicas ${String(detail.minInsyncReplicas)}, not ${CLUSTER_SIZE} and 2`);
  }
  return problems;
}

async function openCase(name: string, world: World): Promise<{ ns: TestNamespace; stack: FaultStack; platform: FaultPlatform }> {
  const ns = testNamespace(name, 'f');
  const admin = world.admin;
  const client = admin.admin();
  await client.connect();
  // Replication is the brokers' default (replicationFactor -1, as the services create topics): 1 on the
  // single broker, 3 with min.insync.replicas 2 on the cluster.
  await ensureTopics(client, topicSpecs(ns.topics, 2));
  await client.disconnect();
  if (world.cluster !== null) Object.assign(world.notes, await replicationOf(admin, Object.values(ns.topics)));
  // On the single broker the services go through the proxy; on the cluster, to all three brokers directly.
  const brokers = world.cluster === null ? `127.0.0.1:${ports.kafkaProxy}` : world.cluster.brokers;
  const stack = new FaultStack({
    env: { KAFKA_BROKERS: brokers, REDIS_URL: `redis://127.0.0.1:${ports.redisProxy}`, TOPIC_PREFIX: ns.topicPrefix, REDIS_KEY_PREFIX: ns.redisKeyPrefix },
    logDir: path.join(resultsDir, 'faults-logs', ns.id),
  });
  world.stack = stack;
  const platform = new FaultPlatform(admin, ns.topics, { users: 400, requestsPerSecond: 20, catalogSize: 200, modelId: 'ddqn' });
  await platform.start();
  await stack.startAll();
  await stack.waitAllReady();
  return { ns, stack, platform };
}

async function runCase(fault: FaultCase, partial: Omit<World, 'stack' | 'notes'>): Promise<FaultRow> {
  const world = { ...partial, notes: {} } as World;
  const admin = world.admin;
  log(`== ${fault.name}`);
  const { ns, stack, platform } = await openCase(fault.name, world);
  platform.startSending();
  await sleep(quick ? 6_000 : 10_000);
  const versionAtFault = platform.versions.at(-1)?.version ?? -1;
  const injectedAt = Date.now();
  await fault.inject(world);
  await sleep(fault.holdMs);
  const healStarted = Date.now();
  await fault.heal(world);
  // Recovery counts from the moment the fault is gone (the broker or Redis serving again, the killed
  // service's new process started, the network forwarding again).
  const healedAt = Date.now();
  await sleep(quick ? 10_000 : 15_000);
  platform.stopSending();
  // Drain: every request answered and every shown item's transition out (the session timeout is 8 s).
  const deadline = Date.now() + 120_000;
  while (!platform.drained && Date.now() < deadline) await sleep(500);
  // A newer model version after the fault (the learner retrains from the stream).
  while (recoverySeconds(platform, healedAt, versionAtFault) === null && Date.now() < deadline) await sleep(500);
  // A killed service was replaced by its restart; any service not running now exited on its own.
  const crashed = stack.crashed();
  // Clicks the joiner folded in after it had emitted their request's transitions (it emits at the session
  // timeout, for freshness: README design decision 4) or after the reward wait: by design, not lost.
  const afterEmission = await stack.metric('joiner', 'rec_joiner_feedback_total', { outcome: 'after-emission', type: 'CLICK' }).catch(() => 0);
  const late = await stack.metric('joiner', 'rec_joiner_feedback_total', { outcome: 'late', type: 'CLICK' }).catch(() => 0);
  const result = reconcile(platform, Number(FAULT_SERVICE_ENV.JOINER_REWARD_WAIT_MS), afterEmission + late);
  // Counted after reconcile took the last version it saw: the learner keeps training after the platform
  // stops, so a count taken before could be passed by versions published meanwhile (a false "applied twice").
  const updates = await countRecords(admin, ns.topics.modelUpdates);
  // Requests the actor did not answer on purpose: dead-lettered (none expected: all are valid) or skipped as stale.
  const requestsDeadLettered = await countRecords(admin, dlqTopic(ns.topics.requests)).catch(() => 0);
  const requestsSkippedStale = await stack.metric('actor', 'rec_actor_stale_requests_total').catch(() => Number.NaN);
  // Requests the actor did not answer again: it had already answered them (a redelivered batch). Since its last start.
  const requestsRepeated = await stack.metric('actor', 'rec_actor_repeated_requests_total').catch(() => Number.NaN);
  // A loss is checked once more against the topics themselves, read again from the start.
  const reread = result.lost > 0 ? await platform.recheckMissing(result.missing) : {};
  // Gradients the parameter server dropped as too stale (bounded staleness), since its last start.
  const staleDropped = await stack.metric('parameter-server', 'rec_parameter_server_updates_dropped_total', { reason: 'stale' }).catch(() => Number.NaN);
  const recovery = recoverySeconds(platform, healedAt, versionAtFault);
  // rec_model_version of each service at the end: the parameter server's own, the one the learner trains
  // on (a learner that stopped following the weights shows far behind), the one the actor's last answer
  // carried (it stops moving when the platform stops sending; the learner trains on after that).
  const versions = await Promise.all(SERVICE_NAMES.map(async (name) => `${name} ${await stack.metric(name, 'rec_model_version').catch(() => Number.NaN)}`));
  // Ready again without help (a consumer that stayed dead would show here).
  const readyDeadline = Date.now() + 30_000;
  let notReady = await stack.notReady();
  while (notReady.length > 0 && Date.now() < readyDeadline) {
    await sleep(500);
    notReady = await stack.notReady();
  }
  const exitCodes = await stack.stopAll();
  await platform.stop();
  return {
    fault: fault.name,
    sent: result.sent,
    lost: result.lost,
    duplicated: result.duplicated,
    recoverySeconds: recovery === null ? null : Math.round(recovery * 10) / 10,
    detail: {
      ...result.detail,
      ...world.notes,
      // How the pipeline served while the fault lasted (a broker loss should not stop it for long).
      ...servingDuring(platform, injectedAt, healStarted),
      requestsDeadLettered,
      requestsSkippedStale,
      requestsRepeated,
      ...reread,
      joinerClicksAfterEmission: afterEmission,
      joinerClicksLate: late,
      staleGradientsDropped: staleDropped,
      modelVersionsAtEnd: versions.join(', '),
      healSeconds: Math.round((healedAt - healStarted) / 100) / 10,
      updatesSent: updates,
      appliedAtMostOnce: Number(result.detail.finalVersion ?? 0) <= updates,
      crashed: crashed.length === 0 ? 'none' : crashed.join(','),
      readyAtEnd: notReady.length === 0 ? true : notReady.join(' | ').slice(0, 500),
      cleanShutdowns: exitCodes.filter((code) => code === 0).length,
    },
  };
}

/** Records on a topic (sum of the partitions' end offsets; nothing is deleted during a run). */
async function countRecords(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** How many services read each public topic (each dead-letters what it cannot use). */
async function readersOf(topic: string, ns: TestNamespace, stack: FaultStack): Promise<number> {
  if (topic !== ns.topics.catalog) return 1; // requests: actor; feedback and actions: joiner
  // Every service that follows the catalog exports rec_catalog_items.
  let readers = 0;
  for (const name of SERVICE_NAMES) {
    const samples = await stack.get(name).scrape();
    if (samples.some((sample) => sample.name.startsWith('rec_catalog_items'))) readers += 1;
  }
  return readers;
}

async function runFuzz(partial: Omit<World, 'stack' | 'notes'>): Promise<FaultRow[]> {
  const world = { ...partial, notes: {} } as World;
  const admin = world.admin;
  log('== fuzz every public topic');
  const { ns, stack, platform } = await openCase('fuzz', world);
  platform.startSending();
  await sleep(3_000);
  const producer = admin.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const rows: FaultRow[] = [];
  for (const [topic, payloads] of fuzzPayloads(ns.topics)) {
    const started = Date.now();
    await producer.send({ topic, acks: -1, messages: payloads.map(({ key, value }) => ({ key, value })) });
    const readers = await readersOf(topic, ns, stack);
    const expected = payloads.filter((payload) => payload.dlq).length * readers;
    const deadline = Date.now() + 60_000;
    let deadLettered = await countRecords(admin, dlqTopic(topic));
    while (deadLettered < expected && Date.now() < deadline) {
      await sleep(250);
      deadLettered = await countRecords(admin, dlqTopic(topic));
    }
    const settled = (Date.now() - started) / 1000;
    await sleep(1_000); // anything beyond the expected count would show by now
    deadLettered = await countRecords(admin, dlqTopic(topic));
    const crashed = stack.crashed();
    rows.push({
      fault: `fuzz ${topic.slice(ns.topicPrefix.length)}`,
      sent: payloads.length,
      lost: Math.max(0, expected - deadLettered),
      duplicated: Math.max(0, deadLettered - expected),
      recoverySeconds: deadLettered >= expected ? Math.round(settled * 10) / 10 : null,
      detail: { expectedDeadLetters: expected, deadLettered, validPayloads: payloads.filter((payload) => !payload.dlq).length, readers, crashed: crashed.length === 0 ? 'none' : crashed.join(',') },
    });
  }
  await producer.disconnect();
  // The pipeline still serves: the platform's requests sent after the fuzz are answered.
  await sleep(3_000);
  platform.stopSending();
  const deadline = Date.now() + 60_000;
  while (!platform.drained && Date.now() < deadline) await sleep(500);
  const result = reconcile(platform, Number(FAULT_SERVICE_ENV.JOINER_REWARD_WAIT_MS));
  for (const row of rows) row.detail.platformLostDuringFuzz = result.lost;
  if (result.lost > 0) rows.forEach((row) => (row.detail.crashed = `pipeline lost ${result.lost}`));
  await stack.stopAll();
  await platform.stop();
  return rows;
}

function table(rows: FaultRow[]): string {
  const header = ['fault', 'sent', 'lost', 'duplicated', 'recovery s'];
  const lines = rows.map((row) => [row.fault, String(row.sent), String(row.lost), String(row.duplicated), row.recoverySeconds === null ? 'never' : String(row.recoverySeconds)]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [format(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...lines.map(format)].join('\n') + '\n';
}

main().catch((error: unknown) => {
  process.stderr.write(`faults: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
