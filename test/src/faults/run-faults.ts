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
 * Env: FAULTS_PORT_BASE (six consecutive ports; default: free ones from a random base), FAULTS_RESULTS_DIR (results), FAULTS_ONLY (a
 * comma-separated list of fault names to run).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { createKafka, createLogger, dlqTopic, ensureTopics, topicSpecs } from '@rec/shared';
import { REPO_ROOT } from '../bench/bench-options';
import { TcpProxy, sleep, testNamespace, type TestNamespace } from '../harness';
import { FaultPlatform } from './fault-platform';
import { FAULT_SERVICE_ENV, FaultStack, SERVICE_NAMES, type ServiceName } from './fault-stack';
import { fuzzPayloads } from './fuzz-payloads';
import { PrivateKafka, portOpen } from './private-kafka';
import { PrivateRedis } from './private-redis';
import { reconcile, recoverySeconds, type FaultRow } from './reconcile';

const quick = process.argv.includes('--quick');
type Ports = { broker: number; direct: number; controller: number; kafkaProxy: number; redis: number; redisProxy: number };
let ports: Ports;
const portsFrom = (base: number): Ports => ({ broker: base, direct: base + 1, controller: base + 2, kafkaProxy: base + 3, redis: base + 4, redisProxy: base + 5 });

/** FAULTS_PORT_BASE, or six free consecutive ports from a random base (two runs side by side do not collide). */
async function choosePorts(): Promise<Ports> {
  if (process.env.FAULTS_PORT_BASE !== undefined) return portsFrom(Number(process.env.FAULTS_PORT_BASE));
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const candidate = portsFrom(20_000 + Math.floor(Math.random() * 9_000));
    const taken = await Promise.all(Object.values(candidate).map((port) => portOpen(port)));
    if (!taken.some(Boolean)) return candidate;
  }
  throw new Error('no six free consecutive ports found; set FAULTS_PORT_BASE');
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
  stack: FaultStack;
}

interface FaultCase {
  name: string;
  inQuick: boolean;
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
];

async function main(): Promise<void> {
  ports = await choosePorts();
  for (const [name, port] of Object.entries(ports)) {
    if (await portOpen(port)) throw new Error(`port ${port} (${name}) is taken: set FAULTS_PORT_BASE to six free consecutive ports`);
  }
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
  const rows: FaultRow[] = [];
  const failures: string[] = [];
  try {
    log(`starting a private broker (127.0.0.1:${ports.broker}, proxy ${ports.kafkaProxy}) and Redis (${ports.redis}, proxy ${ports.redisProxy}) in ${workDir}`);
    await Promise.all([kafka.start(), redis.start(), kafkaProxy.start(ports.kafkaProxy), redisProxy.start(ports.redisProxy)]);
    const admin = createKafka({ clientId: 'faults', brokers: [`127.0.0.1:${ports.direct}`], logger: createLogger('faults', 'silent') });
    for (const fault of CASES) {
      if (quick && !fault.inQuick) continue;
      if (only !== undefined && !only.includes(fault.name)) continue;
      const row = await runCase(fault, { kafka, redis, kafkaProxy, redisProxy }, admin);
      rows.push(row);
      failures.push(...verdict(row, fault));
      log(`${row.fault}: sent ${row.sent}, lost ${row.lost}, duplicated ${row.duplicated}, recovered in ${row.recoverySeconds ?? 'never'} s ${JSON.stringify(row.detail)}`);
    }
    if (only === undefined || only.some((name) => name.startsWith('fuzz'))) {
      const fuzzRows = await runFuzz({ kafka, redis, kafkaProxy, redisProxy }, admin);
      for (const row of fuzzRows) {
        rows.push(row);
        if (row.lost > 0 || row.duplicated > 0 || row.detail.crashed !== 'none' || row.recoverySeconds === null) failures.push(`${row.fault}: ${JSON.stringify(row)}`);
        log(`${row.fault}: sent ${row.sent}, lost ${row.lost}, duplicated ${row.duplicated} ${JSON.stringify(row.detail)}`);
      }
    }
  } finally {
    await kafkaProxy.stop();
    await redisProxy.stop();
    await kafka.destroy();
    await redis.destroy();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'faults.json'), JSON.stringify(rows, null, 2) + '\n');
  process.stdout.write(table(rows));
  if (failures.length > 0) {
    log(`FAILED:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  log(`passed; results/faults.json has ${rows.length} rows`);
  process.exit(0);
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
  return problems;
}

async function openCase(name: string, world: World, admin: Kafka): Promise<{ ns: TestNamespace; stack: FaultStack; platform: FaultPlatform }> {
  const ns = testNamespace(name, 'f');
  const client = admin.admin();
  await client.connect();
  await ensureTopics(client, topicSpecs(ns.topics, 2));
  await client.disconnect();
  const stack = new FaultStack({
    env: { KAFKA_BROKERS: `127.0.0.1:${ports.kafkaProxy}`, REDIS_URL: `redis://127.0.0.1:${ports.redisProxy}`, TOPIC_PREFIX: ns.topicPrefix, REDIS_KEY_PREFIX: ns.redisKeyPrefix },
    logDir: path.join(resultsDir, 'faults-logs', ns.id),
  });
  world.stack = stack;
  const platform = new FaultPlatform(admin, ns.topics, { users: 400, requestsPerSecond: 20, catalogSize: 200, modelId: 'ddqn' });
  await platform.start();
  await stack.startAll();
  await stack.waitAllReady();
  return { ns, stack, platform };
}

async function runCase(fault: FaultCase, partial: Omit<World, 'stack'>, admin: Kafka): Promise<FaultRow> {
  const world = { ...partial } as World;
  log(`== ${fault.name}`);
  const { ns, stack, platform } = await openCase(fault.name, world, admin);
  platform.startSending();
  await sleep(quick ? 6_000 : 10_000);
  const versionAtFault = platform.versions.at(-1)?.version ?? -1;
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
  const updates = await countRecords(admin, ns.topics.modelUpdates);
  // Clicks the joiner folded in after it had emitted their request's transitions (it emits at the session
  // timeout, for freshness: README design decision 4) or after the reward wait: by design, not lost.
  const afterEmission = await stack.metric('joiner', 'rec_joiner_feedback_total', { outcome: 'after-emission', type: 'CLICK' }).catch(() => 0);
  const late = await stack.metric('joiner', 'rec_joiner_feedback_total', { outcome: 'late', type: 'CLICK' }).catch(() => 0);
  const result = reconcile(platform, Number(FAULT_SERVICE_ENV.JOINER_REWARD_WAIT_MS), afterEmission + late);
  // Gradients the parameter server dropped as too stale (bounded staleness), since its last start.
  const staleDropped = await stack.metric('parameter-server', 'rec_parameter_server_updates_dropped_total', { reason: 'stale' }).catch(() => Number.NaN);
  const recovery = recoverySeconds(platform, healedAt, versionAtFault);
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
      joinerClicksAfterEmission: afterEmission,
      joinerClicksLate: late,
      staleGradientsDropped: staleDropped,
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

async function runFuzz(partial: Omit<World, 'stack'>, admin: Kafka): Promise<FaultRow[]> {
  const world = { ...partial } as World;
  log('== fuzz every public topic');
  const { ns, stack, platform } = await openCase('fuzz', world, admin);
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
