import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The first compose command that runs here: Debian's docker-compose (v1), else the docker compose plugin. */
function composeCommand(): string[] | null {
  for (const command of [['docker-compose'], ['docker', 'compose']]) {
    const probe = spawnSync(command[0], [...command.slice(1), 'version'], { encoding: 'utf8', timeout: 15_000 });
    if (probe.status === 0) return command;
  }
  return null;
}

describe('docker-compose.yml', () => {
  const compose = composeCommand();

  it('is a valid compose file (docker-compose config -q)', { skip: compose === null ? 'neither docker-compose nor the docker compose plugin is installed' : false }, () => {
    const [program, ...args] = compose ?? [];
    const result = spawnSync(program, [...args, '-f', 'docker-compose.yml', 'config', '-q'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, `${compose?.join(' ')} config -q failed:\n${result.stderr}${result.stdout}`);
  });

  it('validates with the demo profile too', { skip: compose === null ? 'neither docker-compose nor the docker compose plugin is installed' : false }, () => {
    const [program, ...args] = compose ?? [];
    const result = spawnSync(program, [...args, '-f', 'docker-compose.yml', '--profile', 'demo', 'config', '--services'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const services = result.stdout.split('\n').filter(Boolean);
    for (const service of ['kafka', 'redis', 'actor', 'joiner', 'learner', 'parameter-server']) assert.ok(services.includes(service), `service ${service} in ${services.join(', ')}`);
  });

  // The override uses !override (Compose v2.24.4+); Compose v1 cannot drop a dependency in an override file.
  const composeV2 = compose !== null && compose[0] === 'docker';
  it('with docker-compose.external-kafka.yml, runs the services against KAFKA_BROKERS without the bundled broker', { skip: composeV2 ? false : 'the docker compose v2 plugin is not installed' }, () => {
    const [program, ...args] = compose ?? [];
    const result = spawnSync(program, [...args, '-f', 'docker-compose.yml', '-f', 'docker-compose.external-kafka.yml', 'config', '--format', 'json'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, KAFKA_BROKERS: 'broker-a:9092,broker-b:9092' },
    });
    assert.equal(result.status, 0, result.stderr);
    const config = JSON.parse(result.stdout) as { services: Record<string, { environment?: Record<string, string>; depends_on?: Record<string, unknown> }> };
    assert.equal(config.services.kafka, undefined, 'the bundled broker is not started');
    for (const service of ['actor', 'joiner', 'learner', 'parameter-server']) {
      assert.equal(config.services[service]?.environment?.KAFKA_BROKERS, 'broker-a:9092,broker-b:9092', service);
      assert.deepEqual(Object.keys(config.services[service]?.depends_on ?? {}), ['redis'], service);
    }
  });
});
