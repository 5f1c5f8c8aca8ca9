/**
 * The simulator's composition root: a simulated e-commerce platform that talks to the recommender only
 * through the public contract topics. It publishes the catalog, drives SIM_REQUESTS requests from
 * simulated users (awaiting each action on rec.actions.v1), publishes their feedback and the catalog's
 * changes, and finally writes report.json, learning-curve.svg and learning-curve.csv to SIM_REPORT_DIR
 * and prints a table. SIGINT/SIGTERM stop it early; the report of what ran is still written.
 *
 *   node services/simulator/dist/main.js        (env: SIM_*, plus KAFKA_BROKERS, TOPIC_PREFIX, ...)
 */
import { readCommonConfig, startServiceRuntime } from '@rec/shared';
import { readSimulatorConfig } from './config';
import { KafkaPlatformTransport } from './driver/kafka-platform-transport';
import { retireStaleItems } from './driver/retire-stale-items';
import { runSimulation } from './driver/simulation-driver';
import { SimulatorMetrics } from './driver/simulator-metrics';
import { SimulationLedger } from './scoreboard/simulation-ledger';
import { writeReport } from './scoreboard/report-writer';
import { buildReport } from './scoreboard/simulation-report';
import { terminalTable } from './scoreboard/terminal-table';
import { createSimulation } from './driver/simulation-factory';

async function main(): Promise<void> {
  const startedAt = new Date();
  const common = readCommonConfig();
  const config = readSimulatorConfig(process.env, startedAt);
  const runtime = await startServiceRuntime('simulator', common, { handleSignals: false });
  const log = runtime.logger;
  log.info({ config }, 'simulator starting');

  let stopRequested = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.warn({ signal }, 'stopping early: no new requests; the report covers what ran');
      stopRequested = true;
    });
  }

  const metrics = new SimulatorMetrics(runtime.metrics);
  const { world, simulator } = createSimulation(config);
  const transport = new KafkaPlatformTransport({
    kafka: runtime.kafka,
    producer: runtime.producer,
    topics: runtime.topics,
    deadLetters: runtime.deadLetters,
    logger: log,
    groupId: `${common.topicPrefix}simulator-${runtime.instanceId}`,
    metrics,
  });
  await transport.start();
  runtime.addReadiness('actions-consumer', () => transport.reading);

  if (config.retireStaleItems) {
    const retired = await retireStaleItems({
      kafka: runtime.kafka,
      topic: runtime.topics.catalog,
      catalog: world.catalog,
      transport,
      deadLetters: runtime.deadLetters,
      metrics: runtime.metrics,
      logger: log,
      updatedAt: simulator.clock.publish(0, 0),
    });
    if (retired > 0) log.info({ retired }, 'marked items from earlier runs unavailable');
  }

  const ledger = new SimulationLedger({ windows: config.reportWindows });
  const outcome = await runSimulation({
    simulator,
    transport,
    ledger,
    options: {
      requests: config.requests,
      concurrentUsers: config.concurrentUsers,
      actionTimeoutMs: config.actionTimeoutMs,
      requestsPerSecond: config.requestsPerSecond,
      progressIntervalMs: config.progressIntervalMs,
      progressFormat: config.progressFormat,
    },
    logger: log,
    metrics,
    shouldStop: () => stopRequested,
  });
  await transport.stop();
  log.info(outcome, 'simulation done');

  const report = buildReport(ledger.summary(), {
    requests: outcome.issued,
    world: config.world,
    scenario: config.scenario,
    seed: config.seed,
    catalogSize: config.catalogSize,
    users: config.users,
    slateSize: config.slateSize,
    runId: config.runId,
    startedAt,
    wallSeconds: outcome.wallSeconds,
    virtualHours: outcome.virtualHours,
  });
  const written = await writeReport(config.reportDir, report);
  process.stdout.write(terminalTable(report));
  log.info(written, 'report written');
  // A failed shutdown step (e.g. the producer could not flush) must show in the exit code.
  process.exit((await runtime.shutdown()) ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
