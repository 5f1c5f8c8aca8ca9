/**
 * Which topic-partitions of this process are stuck on a transient failure right now (Redis down, broker
 * unreachable, a timeout): the consumer loop marks a partition failing when a chunk's handling fails
 * retriably and healthy once it succeeds. /readyz reports not ready while any is failing.
 */
export class ConsumerHealth {
  private readonly failing = new Map<string, { since: number; error: string }>();

  markFailing(topic: string, partition: number, error: unknown): void {
    const key = `${topic}[${partition}]`;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const previous = this.failing.get(key);
    this.failing.set(key, { since: previous?.since ?? Date.now(), error: message.slice(0, 200) });
  }

  markHealthy(topic: string, partition: number): void {
    this.failing.delete(`${topic}[${partition}]`);
  }

  /** Forgets every partition of a topic (after a rebalance: each is marked again if it still fails). */
  forgetTopic(topic: string): void {
    for (const key of [...this.failing.keys()]) if (key.startsWith(`${topic}[`)) this.failing.delete(key);
  }

  get healthy(): boolean {
    return this.failing.size === 0;
  }

  get failingCount(): number {
    return this.failing.size;
  }

  /** One line for /readyz: which partitions fail, since when, on what. */
  describe(now = Date.now()): string {
    return [...this.failing].map(([key, { since, error }]) => `${key} retrying for ${Math.round((now - since) / 1000)} s (${error})`).join('; ');
  }
}
