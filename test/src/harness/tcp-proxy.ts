import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy for fault injection: clients connect to `port`, the proxy forwards bytes both ways to the
 * target. `stall()` stops forwarding (connections stay open and bytes are held, like a paused process or
 * a black-holed network path); `resume()` delivers what was held and forwards again. `cut()` closes every
 * connection and refuses new ones until `restore()` (a crashed or unreachable server).
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket; held: { to: net.Socket; data: Buffer }[] }>();
  private stalled = false;
  private refusing = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens on 127.0.0.1 (`port` 0: a free one) and resolves to the port. */
  async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    for (const pair of this.pairs) {
      for (const { to, data } of pair.held.splice(0)) if (!to.destroyed) to.write(data);
    }
  }

  cut(): void {
    this.refusing = true;
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  get connections(): number {
    return this.pairs.size;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
    this.server = null;
  }

  private accept(client: net.Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair = { client, upstream, held: [] as { to: net.Socket; data: Buffer }[] };
    this.pairs.add(pair);
    const forward = (to: net.Socket) => (data: Buffer) => {
      if (this.stalled) pair.held.push({ to, data });
      else if (!to.destroyed) to.write(data);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }
}
