/**
 * Every Redis key the system uses, built in one place from a prefix (tests use a unique prefix each).
 * Per-user keys carry the userId in braces (one slot per user), but the layout as a whole needs a single
 * Redis primary (replicas and Sentinel are fine), not Redis Cluster: the joiner's scripts touch a pending
 * request (`pending:<requestId>`) and its partition's due queue (`due:<partition>`) beside the user's
 * keys, one script call folds a chunk's events of many users, and the stores pipeline many users' keys
 * together, which Cluster rejects (CROSSSLOT). README,
 * "Failure semantics", says what a Cluster port would change.
 */
export interface RedisKeys {
  /** List: the user's recent engagements (clicks, add-to-carts, purchases), newest first, capped. */
  userEngagements(userId: string): string;
  /** List: the user's recent impressions, newest first, capped (kept apart so they cannot crowd out engagements). */
  userExposures(userId: string): string;
  /** String: the state vector an actor built for a request (float32 bytes), with a TTL. */
  requestState(requestId: string): string;
  /** Hash: one pending request the joiner is accumulating rewards for. */
  pendingRequest(requestId: string): string;
  /** String: the user's latest pending requestId (its successor's next-state link). */
  userLastRequest(userId: string): string;
  /** Sorted set: pending requestIds of one transitions partition, scored by when they are due. */
  dueQueue(partition: number): string;
  /**
   * Sorted set: digests of the user's feedback eventIds and action requestIds seen recently, scored by when
   * (duplicate drop). One compact set per user instead of a key per id: a fraction of the memory.
   */
  userSeenIds(userId: string): string;
  /** String (counter): decisions served with one model so far, by every actor: its epsilon schedule's clock. */
  modelDecisions(modelId: string): string;
  /** String: the parameter server's snapshot of one model (weights and optimizer state). */
  modelSnapshot(modelId: string): string;
  /** Sorted set: the versions kept in the model's weights history, scored by version. */
  modelHistory(modelId: string): string;
  /** Hash: one version of the model's weights in its history (values, layout hash, checksum, when). */
  modelHistoryVersion(modelId: string, version: number): string;
  /** String: the version every actor serves instead of the newest (absent: not pinned). */
  modelPin(modelId: string): string;
  /** String (JSON): a request to the parameter server to load weights as a new version (rollback, import). */
  modelLoadRequest(modelId: string): string;
  /** String (JSON): the parameter server's answer to the last load request. */
  modelLoadResult(modelId: string): string;
  /** Hash: weights staged by `rec import`, for a load request to take. */
  modelStagedWeights(modelId: string): string;
  /** Sorted set: clicks per item in one time bucket, for the popularity policy. */
  itemPopularity(bucket: number): string;
  /** Everything under this prefix, for tests that clean up. */
  pattern(): string;
}

export function redisKeys(prefix = 'rec:'): RedisKeys {
  return {
    userEngagements: (userId) => `${prefix}user:{${userId}}:engagements`,
    userExposures: (userId) => `${prefix}user:{${userId}}:exposures`,
    requestState: (requestId) => `${prefix}request:${requestId}:state`,
    pendingRequest: (requestId) => `${prefix}pending:${requestId}`,
    userLastRequest: (userId) => `${prefix}user:{${userId}}:last-request`,
    dueQueue: (partition) => `${prefix}due:${partition}`,
    userSeenIds: (userId) => `${prefix}user:{${userId}}:seen`,
    modelDecisions: (modelId) => `${prefix}model:${modelId}:decisions`,
    modelSnapshot: (modelId) => `${prefix}model:${modelId}:snapshot`,
    modelHistory: (modelId) => `${prefix}model:${modelId}:history`,
    modelHistoryVersion: (modelId, version) => `${prefix}model:${modelId}:history:${version}`,
    modelPin: (modelId) => `${prefix}model:${modelId}:pin`,
    modelLoadRequest: (modelId) => `${prefix}model:${modelId}:load-request`,
    modelLoadResult: (modelId) => `${prefix}model:${modelId}:load-result`,
    modelStagedWeights: (modelId) => `${prefix}model:${modelId}:staged`,
    itemPopularity: (bucket) => `${prefix}popularity:${bucket}`,
    pattern: () => `${prefix}*`,
  };
}
