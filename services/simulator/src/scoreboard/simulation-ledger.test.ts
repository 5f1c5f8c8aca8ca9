import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestRecord } from './ledger-types';
import { ORACLE_POLICY, SimulationLedger, type OracleSummary, type PolicySummary } from './simulation-ledger';

function record(policy: string, requestIndex: number, clicks: number, reward: number, slots: RequestRecord['slots'] = []): RequestRecord {
  return {
    policy,
    requestIndex,
    sessionId: `s${requestIndex}`,
    impressions: 10,
    clicks,
    addToCarts: 0,
    purchases: 0,
    reward,
    expectedReward: reward / 2,
    expectedClicks: clicks / 2,
    oracleExpectedReward: 4,
    oracleExpectedClicks: 3,
    oracleSlots: 10,
    slots,
  };
}

test('per-policy rates, the oracle on the same requests, windows and the final 10%', () => {
  const ledger = new SimulationLedger({ windows: 5 });
  // 20 requests: policy a on even indices, b on odd; clicks = 1 for the first 18, 3 for the last 2.
  for (let index = 0; index < 20; index += 1) {
    const late = index >= 18;
    ledger.recordRequest(record(index % 2 === 0 ? 'a' : 'b', index, late ? 3 : 1, late ? 6 : 2));
  }
  ledger.recordTimeout();
  ledger.recordSession({ policy: 'a', requests: 3, answered: 3, reward: 6, expectedReward: 3, oracleExpectedReward: 12, completed: true, returnGapHours: 2 });
  ledger.recordSession({ policy: 'a', requests: 1, answered: 1, reward: 2, expectedReward: 1, oracleExpectedReward: 4, completed: true, returnGapHours: 4 });
  ledger.recordSession({ policy: 'a', requests: 9, answered: 9, reward: 99, expectedReward: 9, oracleExpectedReward: 36, completed: false, returnGapHours: null });
  const summary = ledger.summary();
  assert.equal(summary.answered, 20);
  assert.equal(summary.timeouts, 1);
  assert.equal(summary.windowSize, 4);
  assert.equal(summary.finalWindowSize, 2);
  assert.equal(summary.curve.length, 5);
  assert.equal(summary.curve[4].toRequest, 20);

  const a = summary.policies.a as PolicySummary;
  // a: 10 requests, 9 with 1 click / reward 2, one (index 18) with 3 clicks / reward 6.
  assert.equal(a.requests, 10);
  assert.equal(a.rewardPerRequest, (9 * 2 + 6) / 10);
  assert.equal(a.ctr, 12 / 100);
  assert.equal(a.clicksPerRequest, 1.2);
  assert.equal(a.oracleRewardPerRequest, 4);
  assert.equal(a.regretPerRequest, 4 - 1.2);
  assert.equal(a.rewardPerSession, 4, 'incomplete sessions are left out');
  assert.equal(a.meanSessionLength, 2);
  assert.equal(a.meanReturnGapHours, 3);
  assert.equal(a.finalWindow.requests, 1);
  assert.equal(a.finalWindow.rewardPerRequest, 6);
  assert.equal(a.finalWindow.ctr, 0.3);

  const oracle = summary.policies[ORACLE_POLICY] as OracleSummary;
  assert.equal(oracle.requests, 20);
  assert.equal(oracle.rewardPerRequest, 4);
  assert.equal(oracle.ctr, 0.3);
  assert.equal(oracle.rewardPerSession, 8);
  assert.equal(oracle.finalWindow.rewardPerRequest, 4);
  assert.deepEqual(Object.keys(summary.curve[0].policies).sort(), ['a', 'b', 'oracle']);
});

test('new-item CTR against old items of the same categories after the first arrival', () => {
  const ledger = new SimulationLedger({ windows: 1 });
  const slot = (category: string, isNew: boolean, clicked: boolean, ageRequests: number | null = isNew ? 10 : null) => ({ category, isNew, clicked, ageRequests });
  // Before any arrival in "books": not counted.
  ledger.recordRequest(record('p', 0, 1, 1, [slot('books', false, true)]));
  ledger.noteNewItem('books', 1);
  ledger.noteNewItem('toys', 1);
  // books: new 1/2 (young), old 1/4; toys: new 0/2 (6,000 requests old), old 3/4; games (no arrival): ignored.
  ledger.recordRequest(
    record('p', 1, 0, 0, [
      slot('books', true, true),
      slot('books', true, false),
      slot('books', false, true),
      slot('books', false, false),
      slot('books', false, false),
      slot('books', false, false),
      slot('toys', true, false, 6_000),
      slot('toys', true, false, 6_000),
      slot('toys', false, true),
      slot('toys', false, true),
      slot('toys', false, true),
      slot('toys', false, false),
      slot('games', true, true),
    ]),
  );
  const p = ledger.summary().policies.p as PolicySummary;
  assert.equal(p.newItems.impressions, 4);
  assert.equal(p.newItems.clicks, 1);
  assert.equal(p.newItems.ctr, 0.25);
  // Weighted by new impressions (2 and 2): (1/4 + 3/4) / 2.
  assert.equal(p.newItems.comparableOldItemCtr, 0.5);
  assert.equal(p.newItems.impressionShare, 4 / 12);
  // Young (within 5,000 requests of arriving): only the books items, against books' old items.
  assert.deepEqual(p.newItems.young, { requests: 5_000, impressions: 2, clicks: 1, ctr: 0.5, comparableOldItemCtr: 0.25 });
});
