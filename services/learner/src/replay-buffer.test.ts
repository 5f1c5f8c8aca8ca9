import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ITEM_DIM, STATE_DIM, seededRandom, type Transition } from '@rec/shared';
import { ReplayBuffer } from './replay-buffer';

function transition(reward: number, done = false): Transition {
  const floats = (length: number, value: number) => Buffer.from(new Float32Array(length).fill(value).buffer);
  return {
    transitionId: `t${reward}`,
    userId: 'u',
    requestId: 'r',
    itemId: 'i',
    position: 0,
    encoderVersion: 1,
    state: floats(STATE_DIM, reward),
    itemFeatures: floats(ITEM_DIM, reward),
    reward,
    nextState: done ? null : floats(STATE_DIM, reward + 0.5),
    done,
    nextRequestId: null,
    slateReward: null,
    propensity: 1,
    modelVersion: 0,
    requestTimestamp: 0,
    lastFeedbackTimestamp: 1_000 + reward,
    emittedAt: 0,
  };
}

describe('replay buffer', () => {
  it('overwrites the oldest transitions once full', () => {
    const replay = new ReplayBuffer(3, { prioritized: false, alpha: 0.6, beta: 0.4, random: seededRandom(1) });
    for (let reward = 1; reward <= 5; reward += 1) replay.add(transition(reward), 0.9);
    assert.equal(replay.size, 3);
    assert.deepEqual(Array.from(replay.rewards).sort(), [3, 4, 5]);
  });

  it('copies whole rows into a batch, with zero next state for done', () => {
    const replay = new ReplayBuffer(4, { prioritized: false, alpha: 0.6, beta: 0.4, random: seededRandom(2) });
    replay.add(transition(2, true), 0.9);
    const batch = replay.sample(3);
    assert.equal(batch.size, 3);
    assert.ok(batch.states.every((value) => value === 2));
    assert.ok(batch.nextStates.every((value) => value === 0));
    assert.ok(batch.discounts.every((value) => value === 0), 'an ended session bootstraps nothing, whatever discount it came with');
    assert.equal(batch.newestFeedbackAt, 1_002);
    assert.ok(batch.weights.every((value) => value === 1));
  });

  it('samples in proportion to priority^alpha and corrects with importance weights', () => {
    const replay = new ReplayBuffer(2, { prioritized: true, alpha: 1, beta: 1, random: seededRandom(3) });
    replay.add(transition(0), 0.9);
    replay.add(transition(1), 0.9);
    // Priorities 1 and 3 (plus the 1e-3 floor): slot 1 should be drawn about 3 times as often as slot 0.
    replay.updatePriorities(Int32Array.from([0, 1]), Float32Array.from([1 - 1e-3, 3 - 1e-3]));
    let slot1 = 0;
    const draws = 400;
    let lowWeight = 0;
    for (let draw = 0; draw < draws / 4; draw += 1) {
      const batch = replay.sample(4);
      batch.slots.forEach((slot, index) => {
        if (slot === 1) {
          slot1 += 1;
          lowWeight = batch.weights[index];
        }
      });
    }
    assert.ok(Math.abs(slot1 / draws - 0.75) < 0.08, `slot 1 drawn ${slot1 / draws}`);
    // w = (N * P)^-beta, normalised by the max: (2 * 0.75)^-1 / (2 * 0.25)^-1 = 1/3 for the frequent slot.
    assert.ok(Math.abs(lowWeight - 1 / 3) < 1e-3, `weight ${lowWeight}`);
  });
});
