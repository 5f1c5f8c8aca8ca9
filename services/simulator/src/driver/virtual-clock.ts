/** How event timestamps are published: `virtual` (simulated time) or `wall` (Date.now() at emission). */
export type ClockMode = 'virtual' | 'wall';

/**
 * Simulated time. The hidden model always runs on virtual time: milliseconds since the start of the
 * simulation, advanced per user by think times, dwell times and gaps between visits, so behaviour is
 * reproducible whatever the wall clock does. The hidden local hour of day is
 * `startHour + elapsed virtual hours + the user's UTC offset`.
 *
 * Published timestamps are `startMs + virtual ms` in `virtual` mode (consistent: a request's feedback
 * is stamped after it, a user's next request after its feedback, visits at least 30 minutes apart), or
 * the wall clock at emission in `wall` mode (kept strictly increasing per user).
 */
export class VirtualClock {
  constructor(
    /** Published epoch milliseconds of virtual time 0. */
    readonly startMs: number,
    /** Hidden UTC hour of day at virtual time 0. */
    readonly startHour: number,
    readonly mode: ClockMode = 'virtual',
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** The hidden local hour of day, [0, 24), at virtual time `virtualMs` for a user at `utcOffsetHours`. */
  localHour(virtualMs: number, utcOffsetHours: number): number {
    const hour = this.startHour + virtualMs / 3_600_000 + utcOffsetHours;
    return ((hour % 24) + 24) % 24;
  }

  /** The published timestamp of an event at `virtualMs`, strictly after `previous` (the user's last). */
  publish(virtualMs: number, previous: number): number {
    const stamp = this.mode === 'virtual' ? this.startMs + Math.round(virtualMs) : this.wallNow();
    return Math.max(stamp, previous + 1);
  }
}
