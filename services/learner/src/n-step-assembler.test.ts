import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToFloats, type Transition } from '@rec/shared';
import { NStepAssembler, type ReturnTransition } from './n-step-assembler';

/** A 1-float "state" per request: request k's state is [k], so a bootstrap state names its request. */
function stateOf(request: number): Buffer {
  return Buffer.from(Float32Array.from([request]).buffer);
}

/**
 * One transition of a user's request `request` (its next request is request + 1 unless done), for item
 * `itemId` with its own reward; `slateReward` is the slate's mean, as the joiner stamps it.
 */
function step(userId: string, request: number, itemId: string, reward: number, slateReward: number | null, done = false): Transition {
  return {
    transitionId: `${userId}-r${request}/${itemId}`,
    userId,
    requestId: `${userId}-r${request}`,
    itemId,
    position: 0,
    encoderVersion: 2,
    state: stateOf(request),
    itemFeatures: Buffer.from(Float32Array.from([1]).buffer),
    reward,
    nextState: done ? null : stateOf(request + 1),
    done,
    nextRequestId: done ? null : `${userId}-r${request + 1}`,
    slateReward,
    propensity: 0.5,
    modelVersion: 0,
    requestTimestamp: request,
    lastFeedbackTimestamp: null,
    emittedAt: request,
  };
}

/** itemId -> [return, discount, bootstrap request (or null), horizon, cause] */
function summary(settled: ReturnTransition[]): Record<string, [number, number, number | null, number, string]> {
  return Object.fromEntries(
    settled.map(({ transition, discount, horizon, cause }) => [
      transition.itemId,
      [Number(transition.reward.toFixed(6)), Number(discount.toFixed(6)), transition.nextState === null ? null : bytesToFloats(transition.nextState)[0], horizon, cause],
    ]),
  );
}

const options = { steps: 3, gamma: 0.5, maxWaitMs: 60_000, maxHeld: 1_000 };

describe('n-step returns', () => {
  it('sums three steps of a chain and bootstraps with gamma^3, and stops the sum at the session end', () => {
    const returns = new NStepAssembler(options);
    // Request 1: a (1), b (0), slate mean 0.5. Request 2: c (2), d (0), mean 1. Request 3: e (0), f (0.5),
    // mean 0.25. Request 4: g (4), mean 4, and the session ends there.
    const settled: ReturnTransition[] = [];
    const feed = (transition: Transition) => settled.push(...returns.add(transition, 0));
    feed(step('u', 1, 'a', 1, 0.5));
    feed(step('u', 1, 'b', 0, 0.5));
    feed(step('u', 2, 'c', 2, 1));
    feed(step('u', 2, 'd', 0, 1));
    assert.equal(settled.length, 0, 'request 1 needs three steps');
    assert.equal(returns.heldTransitions, 4);
    feed(step('u', 3, 'e', 0, 0.25));
    // Request 1's items: tail = 0.5 * 1 + 0.25 * 0.25 = 0.5625; a = 1.5625, b = 0.5625; discount
    // 0.5^3 = 0.125, bootstrapped from request 4's state.
    assert.deepEqual(summary(settled), { a: [1.5625, 0.125, 4, 3, 'horizon'], b: [0.5625, 0.125, 4, 3, 'horizon'] });
    settled.length = 0;
    feed(step('u', 3, 'f', 0.5, 0.25));
    feed(step('u', 4, 'g', 4, 4, true));
    // The session ended at request 4: request 2 sums 0.5 * 0.25 + 0.25 * 4 = 1.125 (c = 3.125, d = 1.125),
    // request 3 sums 0.5 * 4 = 2 (e = 2, f = 2.5), g is its own reward; none bootstraps.
    assert.deepEqual(summary(settled), {
      c: [3.125, 0, null, 3, 'done'],
      d: [1.125, 0, null, 3, 'done'],
      e: [2, 0, null, 2, 'done'],
      f: [2.5, 0, null, 2, 'done'],
      g: [4, 0, null, 1, 'done'],
    });
    assert.ok(settled.every(({ transition }) => transition.done && transition.nextRequestId === null));
    assert.equal(returns.heldTransitions, 0);
    // A late item of the ended request ends there too.
    assert.deepEqual(summary(returns.add(step('u', 4, 'h', 1, 4, true), 0)), { h: [1, 0, null, 1, 'done'] });
  });

  it('passes transitions through as one-step returns when n = 1', () => {
    const returns = new NStepAssembler({ ...options, steps: 1 });
    assert.deepEqual(summary(returns.add(step('u', 1, 'a', 1, 0.5), 0)), { a: [1, 0.5, 2, 1, 'horizon'] });
    assert.deepEqual(summary(returns.add(step('u', 2, 'b', 3, 3, true), 0)), { b: [3, 0, null, 1, 'done'] });
    assert.equal(returns.heldTransitions, 0);
  });

  it('truncates a chain whose next step does not link, bootstrapping from the last step known', () => {
    const returns = new NStepAssembler(options);
    returns.add(step('u', 1, 'a', 1, 0.5), 0);
    returns.add(step('u', 2, 'b', 2, 2), 0);
    // Request 3 never reached the learner (an empty slate, say): request 5 does not link to request 2.
    const settled = returns.add(step('u', 5, 'c', 0, 0), 0);
    // a: 1 + 0.5 * 2 = 2, bootstrapped from request 3 with 0.5^2; b: one step, 0.5.
    assert.deepEqual(summary(settled), { a: [2, 0.25, 3, 2, 'broken'], b: [2, 0.5, 3, 1, 'broken'] });
    assert.equal(returns.heldTransitions, 1, 'request 5 starts a new chain');
  });

  it('falls back to one-step returns for transitions from a joiner that sends no slate reward', () => {
    const returns = new NStepAssembler(options);
    returns.add(step('u', 1, 'a', 1, null), 0);
    assert.deepEqual(summary(returns.add(step('u', 2, 'b', 2, null), 0)), { a: [1, 0.5, 2, 1, 'broken'] });
  });

  it('truncates chains that waited longer than maxWaitMs, and only those', () => {
    const returns = new NStepAssembler(options);
    returns.add(step('old', 1, 'a', 1, 0.5), 0);
    returns.add(step('old', 2, 'b', 0, 0.25), 1_000);
    returns.add(step('new', 1, 'c', 1, 1), 30_000);
    assert.deepEqual(returns.flushStale(60_999), []);
    // a: 1 + 0.5 * 0.25 = 1.125 over two steps; b: one step.
    assert.deepEqual(summary(returns.flushStale(61_000)), { a: [1.125, 0.25, 3, 2, 'stale'], b: [0, 0.5, 3, 1, 'stale'] });
    assert.equal(returns.heldTransitions, 1);
  });

  it('truncates the least recently active users beyond maxHeld', () => {
    const returns = new NStepAssembler({ ...options, maxHeld: 2 });
    returns.add(step('u1', 1, 'a', 1, 0.5), 0);
    returns.add(step('u2', 1, 'b', 1, 1), 1);
    const settled = returns.add(step('u2', 1, 'c', 1, 1), 2);
    assert.deepEqual(summary(settled), { a: [1, 0.5, 2, 1, 'evicted'] });
    assert.equal(returns.heldTransitions, 2);
  });

  it('holds its own copy of the vectors, not views of the decoded message', () => {
    const returns = new NStepAssembler(options);
    const first = step('u', 1, 'a', 1, 0.5);
    returns.add(first, 0);
    first.state.fill(0);
    first.nextState?.fill(0);
    const [settled] = returns.flushAll();
    assert.equal(bytesToFloats(settled.transition.state)[0], 1);
    assert.equal(bytesToFloats(settled.transition.nextState as Buffer)[0], 2);
  });

  it('refuses a horizon that is not a positive integer', () => {
    assert.throws(() => new NStepAssembler({ ...options, steps: 0 }), /positive integer/);
  });
});
