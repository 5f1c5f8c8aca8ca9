import type { RecommendationAction } from '@rec/shared';

/**
 * The newest `capacity` acknowledged actions this actor served, by requestId: what /explain/<requestId>
 * looks up, and how a repeated request is recognised as answered.
 */
export class RecentActions {
  private readonly actions = new Map<string, RecommendationAction>();

  constructor(private readonly capacity: number) {}

  add(actions: readonly RecommendationAction[]): void {
    if (this.capacity === 0) return;
    for (const action of actions) {
      this.actions.delete(action.requestId);
      this.actions.set(action.requestId, action);
    }
    // A Map iterates in insertion order: the oldest come first.
    for (const requestId of this.actions.keys()) {
      if (this.actions.size <= this.capacity) break;
      this.actions.delete(requestId);
    }
  }

  has(requestId: string): boolean {
    return this.actions.has(requestId);
  }

  get(requestId: string): RecommendationAction | undefined {
    return this.actions.get(requestId);
  }
}
