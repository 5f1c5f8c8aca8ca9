/**
 * Bounds how many samples the learner may draw per transition inserted (Reverb's samples-per-insert
 * ratio): a learner faster than the stream waits instead of overfitting the same transitions.
 */
export class SamplesPerInsertLimiter {
  private inserted = 0;
  private sampled = 0;

  /** `maxRatio` 0 disables the bound. */
  constructor(private readonly maxRatio: number) {}

  recordInserts(count: number): void {
    this.inserted += count;
  }

  /** Whether drawing `batch` more samples keeps sampled / inserted within the bound. */
  canSample(batch: number): boolean {
    return this.maxRatio === 0 || this.sampled + batch <= this.maxRatio * this.inserted;
  }

  recordSamples(count: number): void {
    this.sampled += count;
  }

  get ratio(): number {
    return this.inserted === 0 ? 0 : this.sampled / this.inserted;
  }
}
