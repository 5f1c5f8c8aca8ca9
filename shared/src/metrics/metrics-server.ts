import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * A service's own HTTP route: gets the path after its prefix, answers a status and a body: JSON, or text
 * as is when a content type is given (an HTML page).
 */
export type RouteHandler = (rest: string) => Promise<{ status: number; body: unknown; contentType?: string }>;

export interface HealthServer {
  /** The bound port (useful when 0 was asked for). */
  port: number;
  /** The bound interface address (METRICS_HOST). */
  address: string;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (the Prometheus registry), `/healthz` (the process is alive) and `/readyz` (200 once
 * `isReady()` says the service can do its job, 503 before; the body says why).
 */
export async function startHealthServer(options: {
  registry: Registry;
  port: number;
  host?: string;
  isReady: () => { ready: boolean; detail: string };
  /** Extra routes by path prefix (e.g. '/explain/' on actors), read per request so they may be added later. */
  routes?: ReadonlyMap<string, RouteHandler>;
}): Promise<HealthServer> {
  const server = http.createServer((request, response) => {
    const route = (request.url ?? '/').split('?')[0];
    if (route === '/metrics') {
      options.registry.metrics().then(
        (body) => {
          response.writeHead(200, { 'content-type': options.registry.contentType });
          response.end(body);
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`metrics failed: ${error.message}\n`);
        },
      );
      return;
    }
    if (route === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok\n');
      return;
    }
    if (route === '/readyz') {
      const { ready, detail } = options.isReady();
      response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(`${ready ? 'ready' : 'not ready'}: ${detail}\n`);
      return;
    }
    for (const [prefix, handle] of options.routes ?? []) {
      if (!route.startsWith(prefix)) continue;
      handle(decodeURIComponent(route.slice(prefix.length))).then(
        ({ status, body, contentType }) => {
          response.writeHead(status, { 'content-type': contentType ?? 'application/json', 'cache-control': 'no-store' });
          response.end(contentType === undefined ? `${JSON.stringify(body, null, 2)}\n` : String(body));
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(`${JSON.stringify({ error: error.message })}\n`);
        },
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`not found: try /metrics, /healthz, /readyz${[...(options.routes?.keys() ?? [])].map((prefix) => `, ${prefix}...`).join('')}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    address: (server.address() as AddressInfo).address,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
