import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/**
 * The same Redis round trip against a throwaway container, for machines with a container runtime. Where
 * none answers (`docker info` fails), the test is skipped with the reason; the rest of the suite uses the
 * local Kafka and Redis that infra/bin/up starts, which need no containers.
 */
function containerRuntime(): { available: true } | { available: false; why: string } {
  const info = spawnSync('docker', ['info'], { encoding: 'utf8', timeout: 15_000 });
  if (info.error) return { available: false, why: `no docker client (${info.error.message})` };
  if (info.status !== 0) {
    const detail = (info.stderr || info.stdout).trim().split('\n').at(-1) ?? '';
    return { available: false, why: `no container runtime answers: 'docker info' exited ${info.status}${detail ? ` (${detail})` : ''}` };
  }
  return { available: true };
}

describe('testcontainers', () => {
  const runtime = containerRuntime();
  const skip = runtime.available ? false : `${runtime.why}; testcontainers needs one`;

  it('runs Redis in a container and talks to it', { skip, timeout: 180_000 }, async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const { Redis } = await import('ioredis');
    const container = await new GenericContainer('redis:7.4-alpine').withExposedPorts(6379).withWaitStrategy(Wait.forLogMessage('Ready to accept connections')).start();
    try {
      const redis = new Redis({ host: container.getHost(), port: container.getMappedPort(6379), lazyConnect: true });
      await redis.connect();
      assert.equal(await redis.ping(), 'PONG');
      await redis.quit();
    } finally {
      await container.stop();
    }
  });
});
