import type { FeedbackType } from '../events/contract';
import { FEEDBACK_TYPES } from '../events/contract';
import { HISTORY_LENGTH, type HistoryEntry } from '../state/state-encoder';
import type { Redis } from './redis-client';
import type { RedisKeys } from './redis-keys';

/**
 * Each user's recent interactions in Redis, newest first: engagements (clicks, add-to-carts, purchases)
 * and impressions in two lists capped at HISTORY_LENGTH each, so the many impressions never push the few
 * engagements out. Entries are stored compactly as "type|timestamp|itemId". Joiners append (from all
 * feedback, organic included); actors read both lists, merged newest first.
 */
export class UserHistoryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlMs = 30 * 24 * 3_600_000,
  ) {}

  /** Appends interactions (oldest first in the array) to each user's history in one round trip. */
  async append(entries: readonly (HistoryEntry & { userId: string })[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) {
      const key = historyListOf(this.keys, entry.userId, entry.type);
      pipeline.lpush(key, formatHistoryEntry(entry));
      pipeline.ltrim(key, 0, HISTORY_LENGTH - 1);
      pipeline.pexpire(key, this.ttlMs);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  /** Reads several users' histories (newest first) in one round trip. */
  async readMany(userIds: readonly string[]): Promise<HistoryEntry[][]> {
    if (userIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const userId of userIds) {
      pipeline.lrange(this.keys.userEngagements(userId), 0, HISTORY_LENGTH - 1);
      pipeline.lrange(this.keys.userExposures(userId), 0, HISTORY_LENGTH - 1);
    }
    const results = (await pipeline.exec()) ?? [];
    const lists = results.map(([error, raw]) => {
      if (error) throw error;
      return (raw as string[]).map(parseEntry);
    });
    return userIds.map((_, index) => mergeNewestFirst(lists[2 * index], lists[2 * index + 1]));
  }
}

/** The Redis list an interaction belongs to: impressions apart from engagements. */
export function historyListOf(keys: RedisKeys, userId: string, type: FeedbackType): string {
  return type === 'IMPRESSION' ? keys.userExposures(userId) : keys.userEngagements(userId);
}

function mergeNewestFirst(first: HistoryEntry[], second: HistoryEntry[]): HistoryEntry[] {
  if (second.length === 0) return first;
  if (first.length === 0) return second;
  return [...first, ...second].sort((a, b) => b.timestamp - a.timestamp);
}

/** The stored form of one interaction: "typeIndex|timestamp|itemId". */
export function formatHistoryEntry(entry: HistoryEntry): string {
  return `${FEEDBACK_TYPES.indexOf(entry.type)}|${entry.timestamp}|${entry.itemId}`;
}

function parseEntry(raw: string): HistoryEntry {
  const first = raw.indexOf('|');
  const second = raw.indexOf('|', first + 1);
  return {
    type: (FEEDBACK_TYPES[Number(raw.slice(0, first))] ?? 'IMPRESSION') as FeedbackType,
    timestamp: Number(raw.slice(first + 1, second)),
    itemId: raw.slice(second + 1),
  };
}
