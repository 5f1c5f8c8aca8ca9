import type { FaultPlatform, MissingRecords } from './fault-platform';

/** One row of results/faults.json. */
export interface FaultRow {
  fault: string;
  /** Events the platform sent (requests; for fuzzing, bad messages). */
  sent: number;
  /** Requests without an action, shown items without a transition, clicks whose reward no transition carries. */
  lost: number;
  /** Actions beyond one per request, transitions beyond one per shown item, clicks counted twice. */
  duplicated: number;
  /** From healing the fault until every path (actions, transitions, weights) produced again; null: never. */
  recoverySeconds: number | null;
  detail: Record<string, number | string | boolean | null>;
}

/**
 * Counts, from what came out on the topics, what a run lost and duplicated. A click whose record reached
 * Kafka more than the reward wait after its action's record (the broker was down when the platform sent
 * it) is late by the contract and not counted as lost; one inside the wait (by the same record timestamps
 * the joiner measures, with half a second of margin) must be counted exactly once, unless the joiner
 * reports it (rec_joiner_feedback_total{type="CLICK"}) as after-emission: it emits a request's transitions
 * at the session timeout for freshness (README design decision 4), and a click it reads later than that,
 * e.g. a feedback partition lagging its actions partition after a restart, is counted there by design.
 */
export function reconcile(platform: FaultPlatform, rewardWaitMs: number, clicksNotCountedByDesign = 0) {
  let unanswered = 0;
  let sendFailed = 0;
  let clicksOutsideWait = 0;
  let duplicateActions = 0;
  let missingTransitions = 0;
  let duplicateTransitions = 0;
  let lostRewards = 0;
  let doubledRewards = 0;
  let shownItems = 0;
  const unansweredSample: string[] = [];
  // Which requests and shown items are missing, for a reread of the topics before a loss is reported.
  const missing: MissingRecords = { requestIds: [], transitionKeys: [] };
  for (const [requestId, record] of platform.requests) {
    if (record.actions === 0) {
      if (record.sendFailed) sendFailed += 1;
      else {
        unanswered += 1;
        missing.requestIds.push(requestId);
        if (unansweredSample.length < 5) unansweredSample.push(`${requestId} (sent at ${new Date(record.sentAt).toISOString()}, ${record.landedAt === null ? 'never read back from the requests topic' : `at requests ${record.landedAt}`})`);
      }
      continue;
    }
    duplicateActions += record.actions - 1;
    for (const itemId of record.items) {
      shownItems += 1;
      const transition = platform.transitions.get(`${requestId}/${itemId}`);
      if (transition === undefined) {
        missingTransitions += 1;
        missing.transitionKeys.push(`${requestId}/${itemId}`);
        continue;
      }
      duplicateTransitions += transition.count - 1;
      if (itemId === record.clicked) {
        // Click weight 1, impression weight 0: the clicked item's reward is exactly 1 when counted once.
        const reward = transition.rewards[0];
        const insideWait = record.clickProducedAt !== null && record.actionProducedAt !== null && record.clickProducedAt - record.actionProducedAt <= rewardWaitMs - 500;
        if (reward > 1) doubledRewards += 1;
        else if (reward < 1 && insideWait) lostRewards += 1;
        else if (!insideWait) clicksOutsideWait += 1;
      }
    }
  }
  // Model versions never go back; every applied gradient adds exactly one version.
  let versionWentBack = false;
  for (let index = 1; index < platform.versions.length; index += 1) {
    if (platform.versions[index].version < platform.versions[index - 1].version) versionWentBack = true;
  }
  // A click missing from its transition that the joiner reported as after-emission or late is explained.
  const unexplainedRewards = Math.max(0, lostRewards - clicksNotCountedByDesign);
  return {
    sent: platform.sentCount,
    lost: unanswered + missingTransitions + unexplainedRewards,
    duplicated: duplicateActions + duplicateTransitions + doubledRewards,
    missing,
    detail: { unanswered, ...(unanswered > 0 ? { unansweredSample: unansweredSample.join(', ') } : {}), platformSendFailures: sendFailed, clicksOutsideWait, duplicateActions, shownItems, missingTransitions, duplicateTransitions, lostRewards, doubledRewards, versionWentBack, finalVersion: platform.versions.at(-1)?.version ?? null },
  };
}

/** Seconds from `healedAt` until actions, transitions and (when asked) a newer weights version all appeared again. */
export function recoverySeconds(platform: FaultPlatform, healedAt: number, versionAtFault: number): number | null {
  const firstAfter = (times: { producedAt: number }[]) => {
    const after = times.map((seen) => seen.producedAt).filter((at) => at >= healedAt);
    return after.length === 0 ? null : Math.min(...after);
  };
  const action = firstAfter(platform.actionTimes);
  const transition = firstAfter(platform.transitionTimes);
  const weights = firstAfter(platform.versions.filter((entry) => entry.version > versionAtFault));
  if (action === null || transition === null || weights === null) return null;
  return Math.max(0, Math.max(action, transition, weights) - healedAt) / 1000;
}

/** Actions produced from `from` to `to`, and the longest stretch in it without one (seconds). */
export function servingDuring(platform: FaultPlatform, from: number, to: number): { actionsDuringFault: number; longestActionGapSeconds: number } {
  const times = platform.actionTimes.map((seen) => seen.producedAt).filter((at) => at >= from && at <= to).sort((a, b) => a - b);
  let longest = 0;
  let previous = from;
  for (const at of [...times, to]) {
    longest = Math.max(longest, at - previous);
    previous = at;
  }
  return { actionsDuringFault: times.length, longestActionGapSeconds: Math.round(longest / 100) / 10 };
}

/** `earlier` with each row of `fresh` in place of the row of the same fault (new faults appended). */
export function mergeRows(earlier: FaultRow[], fresh: FaultRow[]): FaultRow[] {
  const byName = new Map(fresh.map((row) => [row.fault, row]));
  const merged = earlier.map((row) => byName.get(row.fault) ?? row);
  const kept = new Set(earlier.map((row) => row.fault));
  return [...merged, ...fresh.filter((row) => !kept.has(row.fault))];
}
