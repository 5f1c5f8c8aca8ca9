import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateOffPolicy, importanceWeight, ipsEstimate, meanEstimate, snipsEstimate, Z95, type LoggedUnit } from './estimators';

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
