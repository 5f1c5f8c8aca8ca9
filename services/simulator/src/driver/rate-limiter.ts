/** Spaces calls to `take` at most `perSecond` per second across all callers (0: no limit). */
export class RateLimiter {
  private nextAt = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(): Promise<void> {
    if (this.perSecond <= 0) return;
    const now = this.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + 1000 / this.perSecond;
    if (at > now) await new Promise<void>((resolve) => setTimeout(resolve, at - now));
  }
}
