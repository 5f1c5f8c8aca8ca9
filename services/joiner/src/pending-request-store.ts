import { createHash } from 'node:crypto';
import { historyListOf, type Redis, type RedisKeys } from '@rec/shared';

/** What the joiner keeps in Redis for one served request until its transitions are emitted. */
export interface PendingRequest {
  requestId: string;
  userId: string;
  /** When the action was served (its Kafka record timestamp, epoch ms): the reward wait counts from here. */
  servedAt: number;
  modelVersion: number;
  items: { itemId: string; position: number; propensity: number }[];
  /** The user's next request, once it arrived: its state is this request's next state. */
  nextRequestId: string | null;
  /** Summed reward per itemId. */
  rewards: Map<string, number>;
  /** Items whose impression the platform confirmed. */
  impressions: Set<string>;
  /** Arrival time of the newest feedback folded in, or null. */
  lastFeedbackAt: number | null;
}

export type FeedbackOutcome = 'counted' | 'organic' | 'duplicate' | 'late' | 'after-emission';

/**
 * Lua: records `digest` in the user's seen-ids sorted set (scored by the Redis clock) and says whether it
 * is new. Ids older than `ttl` are trimmed on the way and the set expires when the user goes quiet. A
 * user's ids in one small sorted set cost Redis a fraction of a key per id (listpack-encoded up to 128).
 */
const FIRST_SIGHTING = `
local function firstSighting(key, digest, ttl)
  if redis.call('ZSCORE', key, digest) then return false end
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - ttl)
  redis.call('ZADD', key, now, digest)
  redis.call('PEXPIRE', key, ttl)
  return true
end
`;

/** A short, fixed-size stand-in for an id in the seen set: kind plus 96 bits of its SHA-1. */
function seenIdDigest(kind: 'event' | 'action', id: string): string {
  return `${kind === 'event' ? 'e' : 'a'}${createHash('sha1').update(id).digest('base64url').slice(0, 16)}`;
}

/**
 * Folds one feedback event in, atomically, so a crash between steps cannot lose or double it:
 * drop it if its eventId was seen; append it to the user's capped history (organic feedback too);
 * then, when it names a request, add its reward to that pending request. Feedback may arrive before the
 * action (the topics are read independently), so the pending hash is created if absent. Refused when
 * the request's transitions were already emitted or the reward wait has passed.
 * KEYS: the user's seen ids, the user's history list for this kind (engagements or impressions), pending hash ('' when organic).
 * ARGV: history entry, history length, history ttl, dedup ttl, itemId, reward, isImpression, arrival ts, pending ttl, reward wait, event digest.
 */
const APPLY_FEEDBACK = `
${FIRST_SIGHTING}
if not firstSighting(KEYS[1], ARGV[11], tonumber(ARGV[4])) then return 'duplicate' end
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if KEYS[3] == '' then return 'organic' end
if redis.call('HEXISTS', KEYS[3], 'emitted') == 1 or redis.call('HEXISTS', KEYS[3], 'emitting') == 1 then return 'after-emission' end
local served = redis.call('HGET', KEYS[3], 'servedAt')
if served and (tonumber(ARGV[8]) - tonumber(served)) > tonumber(ARGV[10]) then return 'late' end
redis.call('HINCRBYFLOAT', KEYS[3], 'r:' .. ARGV[5], ARGV[6])
if ARGV[7] == '1' then redis.call('HSET', KEYS[3], 'i:' .. ARGV[5], '1') end
local newest = redis.call('HGET', KEYS[3], 'lastFeedbackAt')
if (not newest) or tonumber(newest) < tonumber(ARGV[8]) then redis.call('HSET', KEYS[3], 'lastFeedbackAt', ARGV[8]) end
redis.call('PEXPIRE', KEYS[3], ARGV[9])
return 'counted'
`;

/**
 * Records a served request atomically: drop it if its requestId was seen; store its slate; make it due at
 * the session timeout; and swap it in as the user's latest request, returning the previous one (which
 * this request succeeds), or false for a duplicate.
 * KEYS: the user's seen ids, pending hash, due queue, user's last request.
 * ARGV: meta, servedAt, dueAt, requestId, pending ttl, dedup ttl, request digest.
 */
const RECORD_ACTION = `
${FIRST_SIGHTING}
if not firstSighting(KEYS[1], ARGV[7], tonumber(ARGV[6])) then return false end
redis.call('HSET', KEYS[2], 'meta', ARGV[1], 'servedAt', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
local previous = redis.call('SET', KEYS[4], ARGV[4], 'PX', ARGV[5], 'GET')
if previous == false or previous == ARGV[4] then return '' end
return previous
`;

/**
 * Links a request to its successor, if it is still pending, and makes it due after the join wait.
 * KEYS: pending hash of the earlier request, due queue. ARGV: next requestId, due score, earlier requestId.
 */
const LINK_NEXT = `
if redis.call('HEXISTS', KEYS[1], 'meta') == 0 or redis.call('HEXISTS', KEYS[1], 'emitted') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'next', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
`;

/**
 * Claims a pending request for emission before the sweep reads it: from here on, feedback is refused as
 * after-emission (counted as such) instead of being added to a hash the emission has already read and
 * is about to delete, where it would be lost while reported as counted. A request without its action
 * yet is left alone. KEYS: pending hash.
 */
const CLAIM_EMISSION = `
if redis.call('HEXISTS', KEYS[1], 'meta') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'emitting', '1')
return 1
`;

interface PendingCommands {
  claimEmission(pendingKey: string): Promise<number>;
  applyFeedback(seenKey: string, historyKey: string, pendingKey: string, ...args: (string | number)[]): Promise<FeedbackOutcome>;
  recordAction(seenKey: string, pendingKey: string, dueKey: string, lastRequestKey: string, ...args: (string | number)[]): Promise<string | null>;
  linkNext(pendingKey: string, dueKey: string, nextRequestId: string, dueAt: number, requestId: string): Promise<number>;
}

/** A feedback event as the store needs it. */
export interface FeedbackFold {
  eventId: string;
  userId: string;
  requestId: string | null;
  itemId: string;
  historyEntry: string;
  reward: number;
  impression: boolean;
  /** When the feedback arrived (its Kafka record timestamp, epoch ms): the reward wait is measured on arrival. */
  arrivedAt: number;
}

/**
 * Pending requests in Redis, so a joiner restart loses none: a hash per request (rewards, impressions,
 * link to the next request), and per transitions partition a sorted set of requestIds scored by when
 * they are due for emission (session timeout, or the join wait after the next request).
 */
export class PendingRequestStore {
  private readonly redis: Redis & PendingCommands;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: { ttlMs: number; rewardWaitMs: number; dedupTtlMs: number; historyLength: number; historyTtlMs: number },
  ) {
    redis.defineCommand('applyFeedback', { numberOfKeys: 3, lua: APPLY_FEEDBACK });
    redis.defineCommand('recordAction', { numberOfKeys: 4, lua: RECORD_ACTION });
    redis.defineCommand('linkNext', { numberOfKeys: 2, lua: LINK_NEXT });
    redis.defineCommand('claimEmission', { numberOfKeys: 1, lua: CLAIM_EMISSION });
    this.redis = redis as Redis & PendingCommands;
  }

  /**
   * Records a served request, due at `dueAt` (the session timeout) unless a successor arrives. Resolves to
   * the user's previous request ('' when none), or null when this requestId is a duplicate.
   */
  recordAction(pending: Pick<PendingRequest, 'requestId' | 'userId' | 'servedAt' | 'modelVersion' | 'items'>, partition: number, dueAt: number): Promise<string | null> {
    const meta = JSON.stringify({ userId: pending.userId, modelVersion: pending.modelVersion, items: pending.items });
    return this.redis.recordAction(
      this.keys.userSeenIds(pending.userId),
      this.keys.pendingRequest(pending.requestId),
      this.keys.dueQueue(partition),
      this.keys.userLastRequest(pending.userId),
      meta,
      pending.servedAt,
      dueAt,
      pending.requestId,
      this.options.ttlMs,
      this.options.dedupTtlMs,
      seenIdDigest('action', pending.requestId),
    );
  }

  /** Makes `requestId` due at `dueAt`, with `nextRequestId` as its successor. False if it is no longer pending. */
  async linkNext(requestId: string, nextRequestId: string, partition: number, dueAt: number): Promise<boolean> {
    return (await this.redis.linkNext(this.keys.pendingRequest(requestId), this.keys.dueQueue(partition), nextRequestId, dueAt, requestId)) === 1;
  }

  applyFeedback(feedback: FeedbackFold): Promise<FeedbackOutcome> {
    return this.redis.applyFeedback(
      this.keys.userSeenIds(feedback.userId),
      historyListOf(this.keys, feedback.userId, feedback.impression ? 'IMPRESSION' : 'CLICK'),
      feedback.requestId === null ? '' : this.keys.pendingRequest(feedback.requestId),
      feedback.historyEntry,
      this.options.historyLength,
      this.options.historyTtlMs,
      this.options.dedupTtlMs,
      feedback.itemId,
      feedback.reward,
      feedback.impression ? 1 : 0,
      feedback.arrivedAt,
      this.options.ttlMs,
      this.options.rewardWaitMs,
      seenIdDigest('event', feedback.eventId),
    );
  }

  /** Up to `limit` requestIds of a partition that are due by `now`. */
  due(partition: number, now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.dueQueue(partition), '-inf', now, 'LIMIT', 0, limit);
  }

  /** How many requests of these partitions are pending. */
  async pendingCount(partitions: readonly number[]): Promise<number> {
    const counts = await Promise.all(partitions.map((partition) => this.redis.zcard(this.keys.dueQueue(partition))));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /**
   * Claims requests for emission (see CLAIM_EMISSION); call before load(). A claimed request that is not
   * emitted (a crash) is claimed and emitted again by the next sweep: its feedback since the claim is
   * counted as after-emission, never lost silently.
   */
  async claimForEmission(requestIds: readonly string[]): Promise<void> {
    await Promise.all(requestIds.map((requestId) => this.redis.claimEmission(this.keys.pendingRequest(requestId))));
  }

  async load(requestIds: readonly string[]): Promise<(PendingRequest | null)[]> {
    const hashes = await Promise.all(requestIds.map((requestId) => this.redis.hgetall(this.keys.pendingRequest(requestId))));
    return hashes.map((hash, index) => parsePending(requestIds[index], hash));
  }

  /**
   * After its transitions are acknowledged: replace the request by an "emitted" marker (kept for the
   * reward wait, so later feedback is recognised as late) and take it off the due queue.
   */
  async markEmitted(requestIds: readonly string[], partition: number): Promise<void> {
    if (requestIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const requestId of requestIds) {
      const key = this.keys.pendingRequest(requestId);
      pipeline.del(key);
      pipeline.hset(key, 'emitted', '1');
      pipeline.pexpire(key, Math.max(1_000, this.options.rewardWaitMs));
    }
    pipeline.zrem(this.keys.dueQueue(partition), ...requestIds);
    await pipeline.exec();
  }

  /** Drops requests that can never be emitted (e.g. their state expired). */
  async discard(requestIds: readonly string[], partition: number): Promise<void> {
    if (requestIds.length === 0) return;
    await this.redis.zrem(this.keys.dueQueue(partition), ...requestIds);
  }
}

function parsePending(requestId: string, hash: Record<string, string>): PendingRequest | null {
  if (hash.meta === undefined) return null;
  const meta = JSON.parse(hash.meta) as { userId: string; modelVersion: number; items: PendingRequest['items'] };
  const rewards = new Map<string, number>();
  const impressions = new Set<string>();
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('r:')) rewards.set(field.slice(2), Number(value));
    else if (field.startsWith('i:')) impressions.add(field.slice(2));
  }
  return {
    requestId,
    userId: meta.userId,
    servedAt: Number(hash.servedAt),
    modelVersion: meta.modelVersion,
    items: meta.items,
    nextRequestId: hash.next ?? null,
    rewards,
    impressions,
    lastFeedbackAt: hash.lastFeedbackAt === undefined ? null : Number(hash.lastFeedbackAt),
  };
}
