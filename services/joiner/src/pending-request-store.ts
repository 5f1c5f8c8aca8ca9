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
 * The due requests of a partition, oldest first, after dropping the entries that have outlived any pending
 * hash they could name: a hash lives at most its ttl past the reward wait after it was served, and no
 * request is due before it was served, so an entry due longer ago than ttl + reward wait can only be swept
 * as 'no-action'. A sweep that fell behind thus never walks them one by one, and the queue cannot grow
 * beyond what the pending hashes hold, however far behind the sweep is.
 * KEYS: due queue. ARGV: expired before (score), due by (score), limit.
 * Returns the number of entries dropped, then requestId, score, requestId, score, ...
 */
const DUE_BATCH = `
local expired = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
table.insert(due, 1, expired)
return due
`;

/**
 * Claims pending requests for emission and reads them, in one step: from the claim on, feedback is refused
 * as after-emission (counted as such) instead of being added to a hash the emission has already read and
 * is about to delete, where it would be lost while reported as counted. A request without its action yet
 * is left alone (and read as empty). One script for a whole batch: a sweep of 512 requests builds one
 * command instead of 1,024. KEYS: the pending hashes. Returns each hash as a flat field/value list.
 */
const CLAIM_AND_LOAD = `
local loaded = {}
for index, key in ipairs(KEYS) do
  if redis.call('HEXISTS', key, 'meta') == 1 then redis.call('HSET', key, 'emitting', '1') end
  loaded[index] = redis.call('HGETALL', key)
end
return loaded
`;

/**
 * After their transitions are acknowledged: replace each request by an "emitted" marker (kept for the
 * reward wait, so later feedback is recognised as late) and take it off the due queue; requests that can
 * never be emitted only leave the due queue. One script per batch instead of a pipeline of 3 commands per
 * request. KEYS: the due queue, then the emitted requests' pending hashes.
 * ARGV: marker ttl, then the emitted requestIds (in KEYS order), then the discarded requestIds.
 */
const MARK_EMITTED = `
local ttl = ARGV[1]
for index = 2, #KEYS do
  redis.call('DEL', KEYS[index])
  redis.call('HSET', KEYS[index], 'emitted', '1')
  redis.call('PEXPIRE', KEYS[index], ttl)
end
for index = 2, #ARGV do redis.call('ZREM', KEYS[1], ARGV[index]) end
return #ARGV - 1
`;

interface PendingCommands {
  dueBatch(dueKey: string, expiredBefore: number, dueBy: number, limit: number): Promise<[number, ...string[]]>;
  claimAndLoad(numberOfKeys: number, ...pendingKeys: string[]): Promise<string[][]>;
  markEmitted(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
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
    redis.defineCommand('dueBatch', { numberOfKeys: 1, lua: DUE_BATCH });
    // Key counts vary with the batch: given first at each call.
    redis.defineCommand('claimAndLoad', { lua: CLAIM_AND_LOAD });
    redis.defineCommand('markEmitted', { lua: MARK_EMITTED });
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

  /**
   * Up to `limit` requestIds of a partition that are due by `now`, oldest first, and when the oldest of them
   * fell due (null when none is due). Entries too old to name a pending hash any more leave the queue on the
   * way (see DUE_BATCH): `expired` says how many.
   */
  async due(partition: number, now: number, limit: number): Promise<{ requestIds: string[]; oldestDueAt: number | null; expired: number }> {
    const expiredBefore = now - (this.options.ttlMs + this.options.rewardWaitMs);
    const [expired, ...idsAndScores] = await this.redis.dueBatch(this.keys.dueQueue(partition), expiredBefore, now, limit);
    const requestIds: string[] = [];
    for (let index = 0; index < idsAndScores.length; index += 2) requestIds.push(idsAndScores[index]);
    return { requestIds, oldestDueAt: idsAndScores.length === 0 ? null : Number(idsAndScores[1]), expired };
  }

  /** How many requests of these partitions are pending. */
  async pendingCount(partitions: readonly number[]): Promise<number> {
    const counts = await Promise.all(partitions.map((partition) => this.redis.zcard(this.keys.dueQueue(partition))));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Per partition, when its earliest pending request is (or was) due; null for an empty queue. */
  async earliestDue(partitions: readonly number[]): Promise<(number | null)[]> {
    const firsts = await Promise.all(partitions.map((partition) => this.redis.zrange(this.keys.dueQueue(partition), 0, 0, 'WITHSCORES')));
    return firsts.map((first) => (first.length < 2 ? null : Number(first[1])));
  }

  /**
   * Claims requests for emission and reads them (see CLAIM_AND_LOAD); null for a request without its action.
   * A claimed request that is not emitted (a crash) is claimed and emitted again by the next sweep: its
   * feedback since the claim is counted as after-emission, never lost silently.
   */
  async claimAndLoad(requestIds: readonly string[]): Promise<(PendingRequest | null)[]> {
    if (requestIds.length === 0) return [];
    const hashes = await this.redis.claimAndLoad(requestIds.length, ...requestIds.map((requestId) => this.keys.pendingRequest(requestId)));
    return hashes.map((fields, index) => parsePending(requestIds[index], fieldsOf(fields)));
  }

  /** Reads pending requests without claiming them; null for a request without its action. */
  async load(requestIds: readonly string[]): Promise<(PendingRequest | null)[]> {
    const hashes = await Promise.all(requestIds.map((requestId) => this.redis.hgetall(this.keys.pendingRequest(requestId))));
    return hashes.map((hash, index) => parsePending(requestIds[index], hash));
  }

  /**
   * After their transitions are acknowledged: `emitted` requests are replaced by an "emitted" marker (kept for
   * the reward wait, so later feedback is recognised as late); they and the `discarded` ones (which can never be
   * emitted, e.g. their state expired) leave the partition's due queue.
   */
  async markEmitted(emitted: readonly string[], discarded: readonly string[], partition: number): Promise<void> {
    if (emitted.length === 0 && discarded.length === 0) return;
    await this.redis.markEmitted(
      1 + emitted.length,
      this.keys.dueQueue(partition),
      ...emitted.map((requestId) => this.keys.pendingRequest(requestId)),
      Math.max(1_000, this.options.rewardWaitMs),
      ...emitted,
      ...discarded,
    );
  }
}

/** A hash as HGETALL inside a script returns it (field, value, field, value, ...), as an object. */
function fieldsOf(flat: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) hash[flat[index]] = flat[index + 1];
  return hash;
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
