import { HISTORY_LENGTH, type HistoryEntry, type UserFeedback } from '@rec/shared';

/**
 * Users' recent interactions in process memory, with the semantics of the Redis UserHistoryStore the
 * services share: engagements and impressions in two lists per user, each capped at HISTORY_LENGTH,
 * read back merged newest first.
 */
export class InMemoryHistories {
  private readonly engagements = new Map<string, HistoryEntry[]>();
  private readonly impressions = new Map<string, HistoryEntry[]>();

  append(feedback: Pick<UserFeedback, 'userId' | 'itemId' | 'type' | 'timestamp'>): void {
    const lists = feedback.type === 'IMPRESSION' ? this.impressions : this.engagements;
    let list = lists.get(feedback.userId);
    if (list === undefined) lists.set(feedback.userId, (list = []));
    list.unshift({ itemId: feedback.itemId, type: feedback.type, timestamp: feedback.timestamp });
    if (list.length > HISTORY_LENGTH) list.length = HISTORY_LENGTH;
  }

  read(userId: string): HistoryEntry[] {
    const engaged = this.engagements.get(userId) ?? [];
    const shown = this.impressions.get(userId) ?? [];
    if (shown.length === 0) return engaged;
    if (engaged.length === 0) return shown;
    return [...engaged, ...shown].sort((a, b) => b.timestamp - a.timestamp);
  }
}
