import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/errors';
import { groupMembership } from '../kafka/group-membership';
import { readCommonConfig } from './common-config';
import { intIn, numIn, positiveIntList, readEnv } from './env';

/** Asserts a ConfigError whose message names every variable in `names`. */
function assertConfigError(run: () => unknown, ...names: string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.retriable, false);
    for (const name of names) assert.ok(error.message.includes(name), `"${error.message}" should name ${name}`);
    return true;
  });
}

describe('common config', () => {
  it('has working defaults', () => {
    const config = readCommonConfig({});
    assert.deepEqual(config.kafkaBrokers, ['127.0.0.1:9092']);
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(config.topicPrefix, '');
    assert.equal(config.redisKeyPrefix, 'rec:');
    assert.equal(config.metricsPort, 9464);
    assert.equal(config.metricsHost, '127.0.0.1', 'metrics stay on loopback unless a container asks for 0.0.0.0');
    assert.equal(config.manageTopics, 'create');
    assert.equal(config.startFrom, 'default', "each service's own default");
    assert.equal(config.redisCommandTimeoutMs, 5_000);
    assert.equal(config.startupDeadlineMs, 120_000);
  });

  it('reads the reliability settings and refuses bad ones by name', () => {
    const config = readCommonConfig({ METRICS_HOST: '0.0.0.0', MANAGE_TOPICS: 'off', KAFKA_START_FROM: 'earliest' });
    assert.equal(config.metricsHost, '0.0.0.0');
    assert.equal(config.manageTopics, 'off');
    assert.equal(config.startFrom, 'earliest');
    assertConfigError(() => readCommonConfig({ MANAGE_TOPICS: 'yes', KAFKA_START_FROM: 'middle' }), 'MANAGE_TOPICS', 'KAFKA_START_FROM');
  });

  it('reads the variables a test namespace sets, METRICS_PORT=0 included', () => {
    const config = readCommonConfig({
      KAFKA_BROKERS: ' 10.0.0.1:9092, 10.0.0.2:9092 ,',
      REDIS_URL: 'redis://cache:6380',
      TOPIC_PREFIX: 't-x.',
      REDIS_KEY_PREFIX: 't-x:',
      METRICS_PORT: '0',
      SHUTDOWN_TIMEOUT_MS: '500',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    });
    assert.deepEqual(config.kafkaBrokers, ['10.0.0.1:9092', '10.0.0.2:9092']);
    assert.equal(config.redisUrl, 'redis://cache:6380');
    assert.equal(config.topicPrefix, 't-x.');
    assert.equal(config.redisKeyPrefix, 't-x:');
    assert.equal(config.metricsPort, 0);
    assert.equal(config.shutdownTimeoutMs, 500);
    assert.deepEqual(groupMembership(config), { sessionTimeout: 6_000, heartbeatInterval: 600 });
  });

  it('keeps the consumer-group session inside what the broker accepts', () => {
    assert.equal(readCommonConfig({}).kafkaSessionTimeoutMs, 30_000);
    for (const bad of ['5999', '1800001', 'soon']) assertConfigError(() => readCommonConfig({ KAFKA_SESSION_TIMEOUT_MS: bad }), 'KAFKA_SESSION_TIMEOUT_MS');
  });

  it('stops on a bad METRICS_PORT with a ConfigError naming it', () => {
    for (const bad of ['abc', '70000', '-1', '80.5', '']) {
      assertConfigError(() => readCommonConfig({ METRICS_PORT: bad }), 'METRICS_PORT');
    }
  });

  it('names every bad variable at once', () => {
    assertConfigError(() => readCommonConfig({ METRICS_PORT: 'x', SHUTDOWN_TIMEOUT_MS: '5' }), 'METRICS_PORT', 'SHUTDOWN_TIMEOUT_MS');
  });
});

describe('env validators', () => {
  it('numIn and intIn accept values in range and name the variable otherwise', () => {
    const specs = { LR: numIn(0, 1)({ default: 0.5 }), STEPS: intIn(1, 10)({ default: 3 }) };
    assert.deepEqual({ ...readEnv(specs, { LR: '0.001', STEPS: '10' }) }, { LR: 0.001, STEPS: 10 });
    assert.deepEqual({ ...readEnv(specs, {}) }, { LR: 0.5, STEPS: 3 });
    assertConfigError(() => readEnv(specs, { LR: '1.5' }), 'LR');
    assertConfigError(() => readEnv(specs, { LR: 'NaN' }), 'LR');
    assertConfigError(() => readEnv(specs, { STEPS: '2.5' }), 'STEPS');
    assertConfigError(() => readEnv(specs, { STEPS: '0' }), 'STEPS');
  });

  it('positiveIntList parses layer sizes', () => {
    const specs = { HIDDEN: positiveIntList({ default: [8] }) };
    assert.deepEqual(readEnv(specs, { HIDDEN: '256, 128,64' }).HIDDEN, [256, 128, 64]);
    assertConfigError(() => readEnv(specs, { HIDDEN: '256,0' }), 'HIDDEN');
    assertConfigError(() => readEnv(specs, { HIDDEN: '256,,64' }), 'HIDDEN');
  });
});
