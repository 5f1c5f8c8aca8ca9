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
 * Lua, shared by the scripts that fold events in: the Redis clock once per script call, and
 * `firstSighting`, which records `digest` in the user's seen-ids sorted set (scored by that clock) and says
 * whether it is new. Ids older than `ttl` are trimmed and the set's expiry renewed once per set per script
 * call (`touched`), and the set expires when the user goes quiet. A user's ids in one small sorted set cost
 * Redis a fraction of a key per id (listpack-encoded up to 128).
 */
const FIRST_SIGHTING = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local function firstSighting(key, digest, ttl, touched)
  if redis.call('ZSCORE', key, digest) then return false end
  if not touched[key] then redis.call('ZREMRANGEBYSCORE', key, '-inf', now - ttl) end
  redis.call('ZADD', key, now, digest)
  if not touched[key] then
    redis.call('PEXPIRE', key, ttl)
    touched[key] = true
  end
  return true
end
`;

/** A short, fixed-size stand-in for an id in the seen set: kind plus 96 bits of its SHA-1 (the format the seen sets already hold). */
function seenIdDigest(kind: 'event' | 'action', id: string): string {
  return `${kind === 'event' ? 'e' : 'a'}${createHash('sha1').update(id).digest('base64url').slice(0, 16)}`;
}

/**
 * Most events folded by one script call. A chunk's events go in as few calls as this allows, sent
 * together (Redis runs them in order); each call holds Redis for its whole run, so this bounds how long
 * another client (an actor) waits behind one.
 */
const EVENTS_PER_SCRIPT_CALL = 250;

/**
 * Folds feedback events in, in order, each atomically (the whole call is), so a crash cannot lose or
 * double one. Per event: drop it if its eventId was seen; append it to the user's capped history (organic feedback
 * too); then, when it names a request, add its reward to that pending request. Feedback may arrive before
 * the action (the topics are read independently), so the pending hash is created if absent. Refused when
 * the request's transitions were already emitted or the reward wait has passed. Each key's trim and expiry
 * is renewed once per call (the lists capped after their pushes), and a pending request is read in one HMGET.
 * KEYS, 3 per event: the user's seen ids, the user's history list for this kind (engagements or
 * impressions), pending hash ('' when organic).
 * ARGV: history length, history ttl, dedup ttl, pending ttl, reward wait; then 6 per event (feedbackFields).
 * Returns each event's outcome.
 */
const APPLY_FEEDBACK = `
${FIRST_SIGHTING}
local historyLength, historyTtl, dedupTtl, pendingTtl, rewardWait = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local touched = {}
local histories = {}
local function fold(seen, history, pending, digest, entry, itemId, reward, impression, arrivedAt)
  if not firstSighting(seen, digest, dedupTtl, touched) then return 'duplicate' end
  redis.call('LPUSH', history, entry)
  if not touched[history] then
    touched[history] = true
    table.insert(histories, history)
  end
  if pending == '' then return 'organic' end
  local emitted, emitting, served, newest = unpack(redis.call('HMGET', pending, 'emitted', 'emitting', 'servedAt', 'lastFeedbackAt'))
  if emitted or emitting then return 'after-emission' end
  if served and (tonumber(arrivedAt) - tonumber(served)) > rewardWait then return 'late' end
  redis.call('HINCRBYFLOAT', pending, 'r:' .. itemId, reward)
  if impression == '1' then redis.call('HSET', pending, 'i:' .. itemId, '1') end
  if (not newest) or tonumber(newest) < tonumber(arrivedAt) then redis.call('HSET', pending, 'lastFeedbackAt', arrivedAt) end
  if not touched[pending] then
    touched[pending] = true
    redis.call('PEXPIRE', pending, pendingTtl)
  end
  return 'counted'
end
local outcomes = {}
for event = 1, #KEYS / 3 do
  local k, a = (event - 1) * 3, 5 + (event - 1) * 6
  outcomes[event] = fold(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6])
end
-- Each history list is capped and its expiry renewed once per call, after its pushes (nothing sees it in between).
for _, history in ipairs(histories) do
  redis.call('LTRIM', history, 0, historyLength - 1)
  redis.call('PEXPIRE', history, historyTtl)
end
return outcomes
`;

/**
 * Records served requests, in order, each atomically: drop it if its requestId was seen; store its slate
 * and its predecessor; make it due at the session timeout; and swap it in as the user's latest request.
 * Returns, per action, 'new' or 'duplicate' and the request it succeeds ('' when none). A duplicate returns
 * the predecessor recorded at its first sighting, so a chunk retried after its actions were recorded (the
 * reply lost, or the links' call failed) still links them; linking is idempotent.
 * KEYS, 4 per action: the user's seen ids, pending hash, due queue, user's last request.
 * ARGV: pending ttl, dedup ttl; then 5 per action (actionFields).
 */
const RECORD_ACTIONS = `
${FIRST_SIGHTING}
local pendingTtl, dedupTtl = ARGV[1], tonumber(ARGV[2])
local touched = {}
local recorded = {}
for action = 1, #KEYS / 4 do
  local k, a = (action - 1) * 4, 2 + (action - 1) * 5
  local pending, requestId = KEYS[k + 2], ARGV[a + 4]
  if firstSighting(KEYS[k + 1], ARGV[a + 5], dedupTtl, touched) then
    local previous = redis.call('SET', KEYS[k + 4], requestId, 'PX', pendingTtl, 'GET')
    if previous == false or previous == requestId then previous = '' end
    redis.call('HSET', pending, 'meta', ARGV[a + 1], 'servedAt', ARGV[a + 2], 'previous', previous)
    redis.call('PEXPIRE', pending, pendingTtl)
    redis.call('ZADD', KEYS[k + 3], ARGV[a + 3], requestId)
    table.insert(recorded, 'new')
    table.insert(recorded, previous)
  else
    table.insert(recorded, 'duplicate')
    table.insert(recorded, redis.call('HGET', pending, 'previous') or '')
  end
end
return recorded
`;

/**
 * Links requests to their successors, each if it is still pending, and makes it due after the join wait;
 * a link already made is left as it is (a retried chunk does not postpone it).
 * KEYS, 2 per link: pending hash of the earlier request, its due queue.
 * ARGV, 3 per link: next requestId, due score, earlier requestId. Returns how many are linked.
 */
const LINK_NEXT = `
local linked = 0
for link = 1, #KEYS / 2 do
  local pending, due, a = KEYS[link * 2 - 1], KEYS[link * 2], (link - 1) * 3
  if redis.call('HEXISTS', pending, 'meta') == 1 then
    if redis.call('HGET', pending, 'next') ~= ARGV[a + 1] then
      redis.call('HSET', pending, 'next', ARGV[a + 1])
      redis.call('ZADD', due, ARGV[a + 2], ARGV[a + 3])
    end
    linked = linked + 1
  end
end
return linked
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
  applyFeedback(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<FeedbackOutcome[]>;
  recordActions(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<string[]>;
  linkNext(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
}

/** A served request as the store records it. */
export type ServedRequest = Pick<PendingRequest, 'requestId' | 'userId' | 'servedAt' | 'modelVersion' | 'items'> & {
  /** The transitions partition (its action's partition): whose due queue it joins. */
  partition: number;
  /** When it is due unless a successor arrives: the session timeout. */
  dueAt: number;
};

/** How recording a served request went: `previous` is the user's request it succeeds ('' when none), also for a duplicate (as first recorded). */
export interface RecordedAction {
  duplicate: boolean;
  previous: string;
}

/** A request to make due `dueAt` with `nextRequestId` as its successor. */
export interface SuccessorLink {
  requestId: string;
  nextRequestId: string;
  partition: number;
  dueAt: number;
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
    redis.defineCommand('dueBatch', { numberOfKeys: 1, lua: DUE_BATCH });
    // Key counts vary with the batch: given first at each call.
    redis.defineCommand('applyFeedback', { lua: APPLY_FEEDBACK });
    redis.defineCommand('recordActions', { lua: RECORD_ACTIONS });
    redis.defineCommand('linkNext', { lua: LINK_NEXT });
    redis.defineCommand('claimAndLoad', { lua: CLAIM_AND_LOAD });
    redis.defineCommand('markEmitted', { lua: MARK_EMITTED });
    this.redis = redis as Redis & PendingCommands;
  }

  /**
   * Records served requests, in order (each sees its predecessor in the list as the user's last request),
   * each due at its `dueAt` unless a successor arrives; see RECORD_ACTIONS.
   */
  async recordActions(requests: readonly ServedRequest[]): Promise<RecordedAction[]> {
    const { ttlMs, dedupTtlMs } = this.options;
    const replies = await this.inScriptCalls(requests, (batch) => {
      const keys: string[] = [];
      const args: (string | number)[] = [ttlMs, dedupTtlMs];
      for (const request of batch) {
        keys.push(this.keys.userSeenIds(request.userId), this.keys.pendingRequest(request.requestId), this.keys.dueQueue(request.partition), this.keys.userLastRequest(request.userId));
        args.push(...actionFields(request));
      }
      return this.redis.recordActions(keys.length, ...keys, ...args);
    });
    return replies.flatMap((reply) => {
      const recorded: RecordedAction[] = [];
      for (let index = 0; index < reply.length; index += 2) recorded.push({ duplicate: reply[index] === 'duplicate', previous: reply[index + 1] });
      return recorded;
    });
  }

  /** Records one served request: the user's previous request ('' when none), or null when this requestId is a duplicate. */
  async recordAction(request: Omit<ServedRequest, 'partition' | 'dueAt'>, partition: number, dueAt: number): Promise<string | null> {
    const [recorded] = await this.recordActions([{ ...request, partition, dueAt }]);
    return recorded.duplicate ? null : recorded.previous;
  }

  /** Makes each request due at its `dueAt` with its successor, unless it is no longer pending or already linked; resolves to how many are pending. */
  async linkNextRequests(links: readonly SuccessorLink[]): Promise<number> {
    const linked = await this.inScriptCalls(links, (batch) => {
      const keys: string[] = [];
      const args: (string | number)[] = [];
      for (const { requestId, nextRequestId, partition, dueAt } of batch) {
        keys.push(this.keys.pendingRequest(requestId), this.keys.dueQueue(partition));
        args.push(nextRequestId, dueAt, requestId);
      }
      return this.redis.linkNext(keys.length, ...keys, ...args);
    });
    return linked.reduce((sum, count) => sum + count, 0);
  }

  /** Makes `requestId` due at `dueAt`, with `nextRequestId` as its successor. False if it is no longer pending. */
  async linkNext(requestId: string, nextRequestId: string, partition: number, dueAt: number): Promise<boolean> {
    return (await this.linkNextRequests([{ requestId, nextRequestId, partition, dueAt }])) === 1;
  }

  /** Folds feedback events in, in order; each event's outcome (see APPLY_FEEDBACK). */
  async applyFeedbackEvents(events: readonly FeedbackFold[]): Promise<FeedbackOutcome[]> {
    const { historyLength, historyTtlMs, dedupTtlMs, ttlMs, rewardWaitMs } = this.options;
    const outcomes = await this.inScriptCalls(events, (batch) => {
      const keys: string[] = [];
      const args: (string | number)[] = [historyLength, historyTtlMs, dedupTtlMs, ttlMs, rewardWaitMs];
      for (const event of batch) {
        keys.push(
          this.keys.userSeenIds(event.userId),
          historyListOf(this.keys, event.userId, event.impression ? 'IMPRESSION' : 'CLICK'),
          event.requestId === null ? '' : this.keys.pendingRequest(event.requestId),
        );
        args.push(...feedbackFields(event));
      }
      return this.redis.applyFeedback(keys.length, ...keys, ...args);
    });
    return outcomes.flat();
  }

  applyFeedback(feedback: FeedbackFold): Promise<FeedbackOutcome> {
    return this.applyFeedbackEvents([feedback]).then(([outcome]) => outcome);
  }

  /**
   * Runs a script on `items` in calls of at most EVENTS_PER_SCRIPT_CALL, issued together: Redis runs them
   * in the order sent, so the items are folded in order.
   */
  private inScriptCalls<T, R>(items: readonly T[], call: (batch: readonly T[]) => Promise<R>): Promise<R[]> {
    const calls: Promise<R>[] = [];
    for (let start = 0; start < items.length; start += EVENTS_PER_SCRIPT_CALL) calls.push(call(items.slice(start, start + EVENTS_PER_SCRIPT_CALL)));
    return Promise.all(calls);
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

/** A served request's ARGV in RECORD_ACTIONS: meta, servedAt, dueAt, requestId, digest. */
function actionFields(request: ServedRequest): (string | number)[] {
  const meta = JSON.stringify({ userId: request.userId, modelVersion: request.modelVersion, items: request.items });
  return [meta, request.servedAt, request.dueAt, request.requestId, seenIdDigest('action', request.requestId)];
}

/** A feedback event's ARGV in APPLY_FEEDBACK: digest, history entry, itemId, reward, isImpression, arrival ts. */
function feedbackFields(event: FeedbackFold): (string | number)[] {
  return [seenIdDigest('event', event.eventId), event.historyEntry, event.itemId, event.reward, event.impression ? 1 : 0, event.arrivedAt];
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
