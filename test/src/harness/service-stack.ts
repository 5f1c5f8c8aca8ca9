import { readActorConfig, startActor } from '@rec/actor';
import { readJoinerConfig, startJoiner } from '@rec/joiner';
import { readLearnerConfig, startLearner } from '@rec/learner';
import { readParameterServerConfig, startParameterServer } from '@rec/parameter-server';
import type { ServiceRuntime } from '@rec/shared';
import type { TestContext } from './test-context';

/** Small, fast settings for in-process services under test; a test's own overrides win. */
export const FAST_SERVICE_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  MODEL_HIDDEN_SIZES: '32,32,16',
  LEARNER_WARMUP: '16',
  LEARNER_BATCH_SIZE: '16',
  LEARNER_MAX_SAMPLES_PER_INSERT: '0',
  JOINER_JOIN_WAIT_MS: '100',
  JOINER_SESSION_TIMEOUT_MS: '1500',
  JOINER_SWEEP_INTERVAL_MS: '50',
  PS_PUBLISH_INTERVAL_MS: '100',
  PS_PUBLISH_EVERY_UPDATES: '1',
  SHUTDOWN_TIMEOUT_MS: '5000',
  // Tests produce their input before a service's group has joined: read it from the beginning.
  KAFKA_START_FROM: 'earliest',
};

/**
 * Starts services in this process, pointed at the test's namespace (the same composition roots the
 * processes run), and registers their drain with the test's cleanup.
 */
export class ServiceStack {
  constructor(
    private readonly ctx: TestContext,
    private readonly overrides: Record<string, string> = {},
  ) {}

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, ...this.ctx.ns.env, ...FAST_SERVICE_ENV, ...this.overrides, ...extra };
  }

  async parameterServer(extra: Record<string, string> = {}) {
    const started = await startParameterServer(readParameterServerConfig(this.env(extra)), { handleSignals: false });
    this.track(started.runtime);
    return started;
  }

  async learner(extra: Record<string, string> = {}) {
    const started = await startLearner(readLearnerConfig(this.env(extra)), { handleSignals: false });
    this.track(started.runtime);
    return started;
  }

  async joiner(extra: Record<string, string> = {}): Promise<ServiceRuntime> {
    return this.track(await startJoiner(readJoinerConfig(this.env(extra)), { handleSignals: false }));
  }

  async actor(extra: Record<string, string> = {}): Promise<ServiceRuntime> {
    return this.track(await startActor(readActorConfig(this.env(extra)), { handleSignals: false }));
  }

  private track(runtime: ServiceRuntime): ServiceRuntime {
    this.ctx.onCleanup(() => runtime.shutdown());
    return runtime;
  }
}

/** The current value of a metric (summed over its series, or one series by labels) from a runtime's registry. */
export async function metricValue(runtime: ServiceRuntime, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = runtime.metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name} in ${runtime.name}`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([label, wanted]) => String(value.labels[label]) === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}
