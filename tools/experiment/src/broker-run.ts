import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readLearnerConfig } from '@rec/learner';
import type { LedgerSummary } from '@rec/simulator';
import { briefOfSummary } from './run-brief';
import { POLICY_SETTINGS, type ExperimentPolicy } from './run-experiment';

/** One run of `npm run evaluate -- --kafka`: a policy on a world and seed, through the real services and broker. */
export interface BrokerRunSpec {
  world: string;
  policy: ExperimentPolicy;
  seed: number;
  requests: number;
  /** Settings every run gets (KEY=VALUE on the command line). */
  env: Record<string, string>;
  /** The demo's report folder for this run. */
  reportDir: string;
}

/**
 * How `infra/bin/demo` runs one evaluation policy: the demo's own policy name, the environment, and the
 * label its report is written under. The DQN policies are the demo's `ddqn` run with their discount
 * (DEMO_GAMMA) and settings; the demo labels that run `ddqn-gamma<gamma>`.
 */
export function brokerRunPlan(spec: BrokerRunSpec): { env: Record<string, string>; label: string } {
  const settings = { ...spec.env, ...POLICY_SETTINGS[spec.policy], SIM_WORLD: spec.world };
  const isModel = spec.policy !== 'random' && spec.policy !== 'popularity';
  const gamma = isModel ? String(readLearnerConfig(settings).gamma) : '0';
  const label = isModel ? `ddqn-gamma${gamma}` : spec.policy;
  return {
    label,
    env: {
      ...settings,
      DEMO_REPORT_DIR: spec.reportDir,
      DEMO_SCENARIOS: 'default',
      DEMO_POLICIES: isModel ? 'ddqn' : spec.policy,
      DEMO_GAMMA: gamma,
      DEMO_SEED: String(spec.seed),
      DEMO_REQUESTS: String(spec.requests),
      DEMO_BASELINE_REQUESTS: String(spec.requests),
    },
  };
}

/**
 * Runs one policy through the broker with `infra/bin/demo` (Kafka and Redis brought up if needed, the
 * services as processes, the simulator as the platform) and writes the run's brief to `resultFile`, in the
 * in-process runs' format (learner counters are not collected through the broker: null).
 */
export async function runThroughBroker(spec: BrokerRunSpec, repoRoot: string, resultFile: string): Promise<void> {
  const { env, label } = brokerRunPlan(spec);
  await mkdir(spec.reportDir, { recursive: true });
  const log = path.join(spec.reportDir, 'demo.log');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['infra/bin/demo'], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      void writeFile(log, output).finally(() => (code === 0 ? resolve() : reject(new Error(`${spec.world}/${spec.policy}/seed ${spec.seed} through the broker failed (exit ${code}, log ${log}): ${output.slice(-1_500)}`))));
    });
  });
  const report = JSON.parse(await readFile(path.join(spec.reportDir, 'runs', 'default', label, 'report.json'), 'utf8')) as Pick<LedgerSummary, 'policies' | 'curve'>;
  const brief = briefOfSummary(report, {
    policy: spec.policy,
    seed: spec.seed,
    settings: { ...spec.env, SIM_WORLD: spec.world, transport: 'kafka' },
    learner: null,
    finalModelVersion: null,
    wallSeconds: (Date.now() - started) / 1000,
  });
  await writeFile(resultFile, `${JSON.stringify(brief)}\n`);
}
