/** Epsilon decaying linearly from `start` to `end` over `decayDecisions` decisions, then flat. */
export function epsilonAt(decisions: number, schedule: { start: number; end: number; decayDecisions: number }): number {
  const progress = Math.min(1, decisions / schedule.decayDecisions);
  return schedule.start + (schedule.end - schedule.start) * progress;
}
