import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceMetrics, startHealthServer, type HealthServer } from '@rec/shared';

/** /metrics, /healthz and /readyz over real HTTP, as Prometheus and an orchestrator see them. */
describe('health server', () => {
  const metrics = new ServiceMetrics('it-health');
  const served = metrics.counter('requests_served_total', 'test counter', ['surface']);
  let ready = false;
  let server: HealthServer;
  const get = (route: string) => fetch(`http://127.0.0.1:${server.port}${route}`);

  before(async () => {
    server = await startHealthServer({
      registry: metrics.registry,
      port: 0,
      host: '127.0.0.1',
      isReady: () => ({ ready, detail: ready ? 'caught up' : 'waiting for the catalog' }),
    });
  });
  after(() => server.close());

  it('binds a free port when asked for port 0', () => {
    assert.ok(server.port > 0);
  });

  it('serves the registry on /metrics, with a counter we increment', async () => {
    served.inc({ surface: 'home' }, 3);
    const response = await get('/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const body = await response.text();
    assert.match(body, /# TYPE rec_it_health_requests_served_total counter/);
    assert.match(body, /rec_it_health_requests_served_total\{surface="home",service="it-health"\} 3/);
    assert.match(body, /# TYPE rec_consumed_messages_total counter/, 'the shared service metrics are registered');
    assert.match(body, /process_cpu_seconds_total/, 'default process metrics are collected');
  });

  it('answers /healthz with 200', async () => {
    const response = await get('/healthz');
    assert.equal(response.status, 200);
  });

  it('answers /readyz with 503 until ready, then 200', async () => {
    const before = await get('/readyz');
    assert.equal(before.status, 503);
    assert.match(await before.text(), /waiting for the catalog/);
    ready = true;
    const afterReady = await get('/readyz?verbose=1');
    assert.equal(afterReady.status, 200);
    assert.match(await afterReady.text(), /ready: caught up/);
  });

  it('answers anything else with 404', async () => {
    assert.equal((await get('/nope')).status, 404);
  });
});
