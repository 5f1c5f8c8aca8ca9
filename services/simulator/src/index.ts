/**
 * @rec/simulator as a library: the hidden worlds, the platform driver and the scoreboard, for tools that
 * run simulations in-process (tools/experiment, tools/ope). Importing it starts nothing: the service's
 * composition root is main.ts (`node services/simulator/dist/main.js`), which this module never loads.
 *
 *   const config = readSimulatorConfig({ SIM_SEED: '101', SIM_REQUESTS: '30000', SIM_RUN_ID: 'x', SIM_START_TIME_MS: '1' });
 *   const { world, simulator } = createSimulation(config);
 *   const ledger = new SimulationLedger({ windows: config.reportWindows });
 *   await runSimulation({ simulator, transport, ledger, options: { ... } });
 *   const report = buildReport(ledger.summary(), { ... });
 */

// --- configuration
export { SIMULATOR_SETTINGS, readSimulatorConfig, type SimulatorConfig } from './config';

// --- the hidden world(s)
export { World, type WorldOptions } from './world/world';
export type { BehaviourInputs, ItemDesignInputs, OracleFunction, WorldKind } from './world/world-kind';
export { WORLD_KINDS, WORLD_NAMES, worldKindByName } from './world/world-kinds';
export { latentWorld } from './world/latent-world';
export type { ItemDesign } from './world/item-design';
export { latentItemDesign } from './world/latent-item-design';
export { SimCatalog, LATENT_DIM, type Category, type SimItem, type CatalogOptions } from './world/catalog';
export { CatalogChurn, type CatalogChange, type CatalogChurnOptions } from './world/catalog-churn';
export { UserModel, DEFAULT_REWARD_WEIGHTS, SURFACES, type ItemValue, type RequestContext, type RewardWeights, type SlotOutcome, type Surface } from './world/user-model';
export { generateUsers, type SimUser } from './world/user-population';
export { SCENARIOS, SCENARIO_NAMES, scenarioByName, type Scenario } from './world/scenario';
export { examinationProbabilities, examinationProbability, expectedSlateOutcome, sampleSlateOutcome } from './world/choice-model';
export { oracleSlate, type OracleSlate } from './world/oracle';
export { dot } from './world/vector-math';
export { Prng, hashSeed } from './random/prng';

// --- the platform driver
export { createSimulation } from './driver/simulation-factory';
export { runSimulation, type DriverDependencies, type DriverOptions, type DriverOutcome } from './driver/simulation-driver';
export { SessionSimulator, type PreparedRequest, type SessionSimulatorOptions, type StepResult, type Visit } from './driver/session-simulator';
export { VirtualClock, type ClockMode } from './driver/virtual-clock';
export type { PlatformTransport } from './driver/platform-transport';
export { InProcessTransport, type InProcessPolicy } from './driver/in-process-transport';
export { KafkaPlatformTransport } from './driver/kafka-platform-transport';
export { SimulatorMetrics } from './driver/simulator-metrics';

// --- in-process policies that read the hidden model or ignore it (tests, experiments)
export { hiddenModelPolicy, type HiddenModelPolicyOptions } from './policies/oracle-policy';
export { uniformRandomPolicy } from './policies/uniform-random-policy';

// --- the scoreboard
export {
  SimulationLedger,
  ORACLE_POLICY,
  YOUNG_ITEM_REQUESTS,
  type CurveWindow,
  type LedgerSummary,
  type NewItemSummary,
  type OracleSummary,
  type PolicySummary,
  type RateSummary,
  type YoungItemSummary,
} from './scoreboard/simulation-ledger';
export type { RequestRecord, SessionRecord, SlotRecord } from './scoreboard/ledger-types';
export { buildReport, figuresOf, DEFINITIONS, type PolicyFigures, type RunMetadata, type SimulationReport } from './scoreboard/simulation-report';
export { readReport, writeReport, REPORT_FILE, type WrittenReport } from './scoreboard/report-writer';
export { mergeReports, type ReportInput } from './scoreboard/merge-reports';
export { terminalTable } from './scoreboard/terminal-table';
export { learningCurveSvg } from './scoreboard/learning-curve-svg';
export { learningCurveCsv } from './scoreboard/learning-curve-csv';
export { renderEvaluationChart, type EvaluationChartInput, type EvaluationSeries } from './scoreboard/evaluation-chart-svg';
export { countAxisTicks, fitValueAxis, type ReferencePlacement, type ValueAxis } from './scoreboard/chart-axes';
