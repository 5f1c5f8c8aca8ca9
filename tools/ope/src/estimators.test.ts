import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epsilonGreedyMarginals } from '@rec/shared';
import { drEstimate, drTerm, estimateOffPolicy, importanceWeight, ipsEstimate, meanEstimate, slotMeanEstimate, snipsEstimate, Z95, type LoggedUnit } from './estimators';

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < tolerance, `${actual} != ${expected}`);

// Four one-slot requests (reward, logging propensity mu, target probability pi):
//   (1, 0.5, 1)    w = 2    w r = 2
//   (0, 0.25, 0.5) w = 2    w r = 0
//   (1, 0.5, 0)    w = 0    w r = 0
//   (1, 0.1, 0.2)  w = 2    w r = 2
const singles: LoggedUnit[] = [
  [{ reward: 1, loggingPropensity: 0.5, targetProbability: 1 }],
  [{ reward: 0, loggingPropensity: 0.25, targetProbability: 0.5 }],
  [{ reward: 1, loggingPropensity: 0.5, targetProbability: 0 }],
  [{ reward: 1, loggingPropensity: 0.1, targetProbability: 0.2 }],
];

test('IPS by hand: V = (2 + 0 + 0 + 2) / 4 = 1, SE = sqrt(4 / 3) * sqrt(4) / 4 = sqrt(1/3)', () => {
  const estimate = ipsEstimate(singles);
  close(estimate.value, 1);
  // e_i = w_i r_i - V = (1, -1, -1, 1); SE = sqrt(n/(n-1) * sum e^2) / n = sqrt(4/3 * 4) / 4.
  close(estimate.standardError, Math.sqrt(1 / 3));
  close(estimate.ci95[0], 1 - Z95 * Math.sqrt(1 / 3));
  close(estimate.ci95[1], 1 + Z95 * Math.sqrt(1 / 3));
  assert.equal(estimate.requests, 4);
});

test('SNIPS by hand: V = 4 / 6, SE = sqrt(4/3 * 24/9) / 6', () => {
  const estimate = snipsEstimate(singles);
  close(estimate.value, 2 / 3);
  // e_i = w_i r_i - V w_i = (2/3, -4/3, 0, 2/3); sum e^2 = 24/9.
  close(estimate.standardError, Math.sqrt((4 / 3) * (24 / 9)) / 6);
  close(estimate.standardError, 0.314269680527354, 1e-12);
});

test('weights, matched slots and the effective sample size', () => {
  const all = estimateOffPolicy(singles);
  assert.equal(all.slots, 4);
  assert.equal(all.matchedSlots, 3);
  assert.equal(all.maxWeight, 2);
  // (sum w)^2 / sum w^2 = 36 / 12.
  close(all.effectiveSampleSize, 3);
  assert.equal(importanceWeight({ reward: 1, loggingPropensity: 0, targetProbability: 0 }), 0);
  assert.throws(() => importanceWeight({ reward: 1, loggingPropensity: 0, targetProbability: 0.5 }), RangeError);
});

test('slots of one request form one sample: two requests of two slots each', () => {
  // Request A: (1, 0.5, 0.5) w=1, (0, 0.25, 0.5) w=2  -> S = 1, W = 3, K = 2
  // Request B: (1, 0.2, 0.4) w=2, (1, 1, 0)      w=0  -> S = 2, W = 2, K = 2
  const units: LoggedUnit[] = [
    [
      { reward: 1, loggingPropensity: 0.5, targetProbability: 0.5 },
      { reward: 0, loggingPropensity: 0.25, targetProbability: 0.5 },
    ],
    [
      { reward: 1, loggingPropensity: 0.2, targetProbability: 0.4 },
      { reward: 1, loggingPropensity: 1, targetProbability: 0 },
    ],
  ];
  // IPS = 3 / 4; e = (1 - 1.5, 2 - 1.5) = (-0.5, 0.5); SE = sqrt(2 * 0.5) / 4 = 0.25.
  const ips = ipsEstimate(units);
  close(ips.value, 0.75);
  close(ips.standardError, 0.25);
  // SNIPS = 3 / 5; e = (1 - 1.8, 2 - 1.2) = (-0.8, 0.8); SE = sqrt(2 * 1.28) / 5 = 0.32.
  const snips = snipsEstimate(units);
  close(snips.value, 0.6);
  close(snips.standardError, 0.32);
});

test('on-policy data (pi = mu) gives the plain mean; meanEstimate is the mean with its standard error', () => {
  const units: LoggedUnit[] = [0, 1, 1, 0, 1].map((reward) => [{ reward, loggingPropensity: 0.3, targetProbability: 0.3 }]);
  close(ipsEstimate(units).value, 0.6);
  close(snipsEstimate(units).value, 0.6);
  const mean = meanEstimate([0, 1, 1, 0, 1]);
  close(mean.value, 0.6);
  // sample variance 0.3, SE = sqrt(0.3 / 5)
  close(mean.standardError, Math.sqrt(0.3 / 5));
  assert.ok(Number.isNaN(ipsEstimate([]).value));
});

test('DR by hand: V = (1.6 - 0.1 + 0.4 + 1.5) / 4 = 0.85; without predictions it is IPS', () => {
  // Per slot q + w (r - qhat), with (qhat, q) = (0.5, 0.6), (0.2, 0.3), (0.9, 0.4), (0.5, 0.5):
  //   0.6 + 2 (1 - 0.5) = 1.6;  0.3 + 2 (0 - 0.2) = -0.1;  0.4 + 0 = 0.4;  0.5 + 2 (1 - 0.5) = 1.5.
  const predictions = [[0.5, 0.6], [0.2, 0.3], [0.9, 0.4], [0.5, 0.5]];
  const units: LoggedUnit[] = singles.map((unit, index) => [{ ...unit[0], predictedReward: predictions[index][0], targetPredictedReward: predictions[index][1] }]);
  const estimate = drEstimate(units);
  close(estimate.value, 0.85);
  // e = (0.75, -0.95, -0.45, 0.65), sum e^2 = 2.09.
  close(estimate.standardError, Math.sqrt((4 / 3) * 2.09) / 4);
  close(drTerm(units[1][0]), -0.1);
  close(estimateOffPolicy(units).dr.value, 0.85);
  close(drEstimate(singles).value, ipsEstimate(singles).value);
});

/**
 * A known truth: three items, two-slot slates drawn per position epsilon-greedily, and a reward that
 * depends only on the item and its position (the item-position assumption). Every ordered slate is
 * enumerated with its probability under the logging policy, so the expectation of each estimator over
 * one-request logs is computed exactly and compared with the target's true reward per slot.
 */
test('IPS and DR are exactly unbiased for the per-slot reward of a slate target (enumerated), SNIPS on many requests', () => {
  const items = 3;
  const reward = [[0.9, 0.4], [0.5, 0.2], [0.1, 0.05]]; // reward[item][position]
  const qhat = [[0.6, 0.3], [0.6, 0.3], [0.2, 0.1]]; // any reward model
  // Per-position epsilon-greedy over a greedy order: P(ordered slate).
  const slateProbability = (order: number[], epsilon: number, slate: [number, number]) => {
    const pick = (remaining: number[], item: number) => (remaining[0] === item ? 1 - epsilon : 0) + epsilon / remaining.length;
    const first = pick(order, slate[0]);
    return first * pick(order.filter((item) => item !== slate[0]), slate[1]);
  };
  const logging = { order: [2, 1, 0], epsilon: 0.6 };
  const target = { order: [0, 1, 2], epsilon: 0.2 };
  const marginalOf = (policy: typeof logging, item: number, position: number) =>
    epsilonGreedyMarginals(items, 2, policy.epsilon).of(policy.order.indexOf(item), position);
  let truth = 0;
  for (const position of [0, 1]) for (let item = 0; item < items; item += 1) truth += (marginalOf(target, item, position) * reward[item][position]) / 2;
  const slates: [number, number][] = [];
  for (let a = 0; a < items; a += 1) for (let b = 0; b < items; b += 1) if (a !== b) slates.push([a, b]);
  const unitOf = (slate: [number, number]): LoggedUnit =>
    slate.map((item, position) => ({
      reward: reward[item][position],
      loggingPropensity: marginalOf(logging, item, position),
      targetProbability: marginalOf(target, item, position),
      predictedReward: qhat[item][position],
      targetPredictedReward: [0, 1, 2].reduce((sum, other) => sum + marginalOf(target, other, position) * qhat[other][position], 0),
    }));
  let expectedIps = 0;
  let expectedDr = 0;
  let total = 0;
  for (const slate of slates) {
    const probability = slateProbability(logging.order, logging.epsilon, slate);
    total += probability;
    expectedIps += probability * ipsEstimate([unitOf(slate)]).value;
    expectedDr += probability * drEstimate([unitOf(slate)]).value;
  }
  close(total, 1);
  close(expectedIps, truth, 1e-12);
  close(expectedDr, truth, 1e-12);
  // SNIPS is consistent, not unbiased: on a large log with slates in proportion to their probability it is close.
  const log: LoggedUnit[] = slates.flatMap((slate) => Array.from({ length: Math.round(slateProbability(logging.order, logging.epsilon, slate) * 100_000) }, () => unitOf(slate)));
  close(snipsEstimate(log).value, truth, 2e-3);
  // The logging policy's own reward per slot is far from the truth: the weights matter.
  const logged = slotMeanEstimate(log.map((unit) => unit.map((sample) => sample.reward)));
  assert.ok(Math.abs(logged.value - truth) > 0.1, `logged ${logged.value} vs truth ${truth}`);
});
