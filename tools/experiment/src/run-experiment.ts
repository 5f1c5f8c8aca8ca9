import { LiveCatalog, seededRandom } from '@rec/shared';
import { RandomPolicy, DqnPolicy, type ScoringPolicy } from '@rec/actor/dist/scoring-policy';
import { readActorConfig } from '@rec/actor';
import { readJoinerConfig } from '@rec/joiner';
import { readLearnerConfig } from '@rec/learner';
import { readParameterServerConfig } from '@rec/parameter-server';
import { QNetwork } from '@rec/shared/model';
import { SimulationLedger, createSimulation, readSimulatorConfig, runSimulation, type LedgerSummary } from '@rec/simulator';
import { InMemoryJoiner } from './in-memory-joiner';
import { InProcessLearner, type LearnerCounters } from './in-process-learner';
import { InProcessParameterServer } from './in-process-parameter-server';
import { InProcessRecommender, SimulatedArrivalClock } from './in-process-recommender';
import { PopularityCounter } from './popularity-counter';

/**
 * The policies an experiment can serve: the two baselines, the DQN with the services' defaults (`ddqn`),
 * and the DQN with a given discount: `ddqn-gamma0` (a contextual bandit) and `ddqn-gamma0.9` (long-term
 * value, the next request valued as a slate of ten).
 */
export const EXPERIMENT_POLICIES = ['random', 'popularity', 'ddqn-gamma0', 'ddqn', 'ddqn-gamma0.9'] as const;
export type ExperimentPolicy = (typeof EXPERIMENT_POLICIES)[number];

/** The settings each policy adds to the services' defaults (and to the experiment's own settings). */
export const POLICY_SETTINGS: Readonly<Record<ExperimentPolicy, Readonly<Record<string, string>>>> = {
  random: {},
  popularity: {},
  'ddqn-gamma0': { LEARNER_GAMMA: '0' },
  ddqn: {},
  'ddqn-gamma0.9': { LEARNER_GAMMA: '0.9', LEARNER_BOOTSTRAP_SLATE_SIZE: '10' },
};

/**
 * What makes two policies the same run: the baseline, or the DQN's discount and bootstrap. `ddqn` and
 * `ddqn-gamma0` are one configuration when the services' default discount is 0.
 */
export function configurationOf(policy: ExperimentPolicy, env: Record<string, string> = {}): string {
  if (policy === 'random' || policy === 'popularity') return policy;
  const learner = readLearnerConfig({ ...env, ...POLICY_SETTINGS[policy] });
  return `ddqn gamma=${learner.gamma} bootstrapSlateSize=${learner.gamma === 0 ? '-' : learner.bootstrapSlateSize}`;
}

export interface ExperimentSpec {
  policy: ExperimentPolicy;
  seed: number;
  requests: number;
  /**
   * Settings as the services read them (SIM_*, ACTOR_*, JOINER_*, LEARNER_*, PS_*, MODEL_*): every
   * service's defaults apply unless named here, so an experiment runs what a deployment would.
   */
  env?: Record<string, string>;
  /** Simulated request rate: the clock the joiner's waits, popularity buckets and the learner's budget run on. */
  requestsPerSecond?: number;
  /**
   * Learner samples per simulated second (default 4,000: at 100 requests/s, about 4 samples per
   * transition, a learner service on these 2 cores at half its measured speed, so it keeps up with room
   * to spare).
   */
  learnerSamplesPerSecond?: number;
  /**
   * The learner computes its gradients on the parameter server's live weights instead of the last published
   * ones (default false: published, as the services do). The ablation that shows what staleness costs.
   */
  learnerReadsLiveWeights?: boolean;
  /**
   * Simulated delay from a publish to the learner adopting it (default 1,000 ms: the mean weights broadcast
   * lag a learner service reported on a loaded 2-core machine, rec_weights_broadcast_lag_seconds).
   */
  broadcastDelayMs?: number;
  /** Learning-curve windows of the ledger. */
  windows?: number;
}

export interface ExperimentResult {
  spec: ExperimentSpec;
  summary: LedgerSummary;
  learner: LearnerCounters | null;
  /** Model version the actor served at the end (0 for baselines). */
  finalModelVersion: number;
  wallSeconds: number;
}

export const DEFAULT_REQUESTS_PER_SECOND = 100;
export const DEFAULT_LEARNER_SAMPLES_PER_SECOND = 4_000;
export const DEFAULT_BROADCAST_DELAY_MS = 1_000;

/**
 * One run of one policy on one world and seed, in process at simulated time: the simulator's own world,
 * session simulator, driver and ledger; the services' own slate decider, transition builder, reward
 * function, n-step assembler, replay buffer, Double-DQN gradient and Adam; no Kafka, no Redis. The same
 * seed gives the same users, catalog and churn for every policy.
 */
export async function runExperiment(spec: ExperimentSpec): Promise<ExperimentResult> {
  const started = Date.now();
  const env: Record<string, string> = {
    SIM_SEED: String(spec.seed),
    SIM_REQUESTS: String(spec.requests),
    SIM_RUN_ID: `exp${spec.seed}`,
    SIM_START_TIME_MS: '1767225600000',
    ...spec.env,
    ...POLICY_SETTINGS[spec.policy],
  };
  const simulatorConfig = readSimulatorConfig(env, new Date(0));
  const actorConfig = readActorConfig(env);
  const joinerConfig = readJoinerConfig(env);
  const learnerConfig = readLearnerConfig(env);
  const serverConfig = readParameterServerConfig(env);
  const requestsPerSecond = spec.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;

  const { simulator } = createSimulation(simulatorConfig);
  const catalog = new LiveCatalog();
  const clock = new SimulatedArrivalClock(requestsPerSecond);
  let learner: InProcessLearner | null = null;
  let parameterServer: InProcessParameterServer | null = null;
  let popularity: PopularityCounter | null = null;
  let policy: ScoringPolicy;
  if (spec.policy === 'random') policy = new RandomPolicy();
  else if (spec.policy === 'popularity') policy = popularity = new PopularityCounter(clock.now, actorConfig.popularityRefreshMs);
  else {
    const dqn = new DqnPolicy(new QNetwork(actorConfig.model, 'experiment-actor'));
    parameterServer = new InProcessParameterServer(serverConfig, catalog, (version, weights, processedThrough, now) => {
      dqn.adopt(version, weights);
      learner?.receive(weights, processedThrough, now);
    });
    learner = new InProcessLearner(
      learnerConfig,
      parameterServer,
      catalog,
      seededRandom(learnerConfig.seed),
      spec.learnerReadsLiveWeights ?? false,
      spec.broadcastDelayMs ?? DEFAULT_BROADCAST_DELAY_MS,
    );
    policy = dqn;
  }
  const joiner = new InMemoryJoiner(joinerConfig, catalog, (transitions, now) => learner?.insert(transitions, now));
  const recommender = new InProcessRecommender({
    policy,
    catalog,
    clock,
    joiner,
    learner,
    parameterServer,
    popularity,
    epsilon: { start: actorConfig.epsilonStart, end: actorConfig.epsilonEnd, decayDecisions: actorConfig.epsilonDecayDecisions },
    learnerSamplesPerSecond: spec.learnerSamplesPerSecond ?? DEFAULT_LEARNER_SAMPLES_PER_SECOND,
    maxBatch: actorConfig.maxBatch,
    diversityPenalty: actorConfig.diversityPenalty,
    exposureBonus: actorConfig.exposureBonus,
    random: seededRandom(actorConfig.seed),
  });

  const ledger = new SimulationLedger({ windows: spec.windows ?? simulatorConfig.reportWindows });
  await runSimulation({
    simulator,
    transport: recommender,
    ledger,
    options: {
      requests: spec.requests,
      concurrentUsers: simulatorConfig.concurrentUsers,
      actionTimeoutMs: simulatorConfig.actionTimeoutMs,
      requestsPerSecond: 0,
      progressIntervalMs: 0,
    },
  });
  const result: ExperimentResult = {
    spec,
    summary: ledger.summary(),
    learner: learner === null ? null : { ...learner.counters },
    finalModelVersion: policy.modelVersion(),
    wallSeconds: (Date.now() - started) / 1000,
  };
  learner?.dispose();
  parameterServer?.dispose();
  if (policy instanceof DqnPolicy) policy.network.dispose();
  return result;
}
