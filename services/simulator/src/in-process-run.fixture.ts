import { readSimulatorConfig, type SimulatorConfig } from './config';
import { runSimulation, type DriverOutcome } from './driver/simulation-driver';
import { InProcessTransport, type InProcessPolicy } from './driver/in-process-transport';
import { SimulationLedger } from './scoreboard/simulation-ledger';
import type { SessionSimulator } from './driver/session-simulator';
import { createSimulation } from './driver/simulation-factory';
import type { World } from './world/world';

/** A simulator config for tests: the defaults, a fixed run id and clock, plus `overrides` (SIM_* names). */
export function testConfig(overrides: Record<string, string> = {}): SimulatorConfig {
  return readSimulatorConfig(
    { SIM_RUN_ID: 'test', SIM_START_TIME_MS: '1700000000000', SIM_PROGRESS_INTERVAL_MS: '0', ...overrides },
    new Date(1_700_000_000_000),
  );
}

export interface InProcessRun {
  world: World;
  simulator: SessionSimulator;
  transport: InProcessTransport;
  ledger: SimulationLedger;
  outcome: DriverOutcome;
}

/** Runs a whole simulation in-process: `makePolicy` gets the world and simulator and returns the policy. */
export async function runInProcess(
  overrides: Record<string, string>,
  makePolicy: (world: World, simulator: SessionSimulator) => InProcessPolicy,
  driver: { concurrentUsers?: number; actionTimeoutMs?: number } = {},
): Promise<InProcessRun> {
  const config = testConfig(overrides);
  const { world, simulator } = createSimulation(config);
  const transport = new InProcessTransport(makePolicy(world, simulator));
  const ledger = new SimulationLedger({ windows: config.reportWindows });
  const outcome = await runSimulation({
    simulator,
    transport,
    ledger,
    options: {
      requests: config.requests,
      concurrentUsers: driver.concurrentUsers ?? config.concurrentUsers,
      actionTimeoutMs: driver.actionTimeoutMs ?? config.actionTimeoutMs,
      requestsPerSecond: 0,
      progressIntervalMs: 0,
    },
  });
  return { world, simulator, transport, ledger, outcome };
}
