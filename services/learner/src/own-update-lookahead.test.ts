import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AdamParameterOptimizer, QNetwork, initTensorBackend } from '@rec/shared/model';
import { OwnUpdateLookahead } from './own-update-lookahead';

/** A small network; the lookahead only adds and replaces flat weights, so its shape does not matter. */
const SPEC = { stateDim: 4, itemDim: 3, hiddenSizes: [4, 4, 2], itemIdBuckets: 0, itemIdDim: 1, seed: 5 };
const LEARNING_RATE = 0.01;

function gradient(network: QNetwork, seed: number): Float32Array {
  const values = new Float32Array(network.size);
  for (let index = 0; index < values.length; index += 1) values[index] = Math.sin(seed * 7.1 + index * 0.37);
  return values;
}

/** Largest absolute difference between two weight vectors. */
function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let index = 0; index < a.length; index += 1) worst = Math.max(worst, Math.abs(a[index] - b[index]));
  return worst;
}

describe('OwnUpdateLookahead', () => {
  before(async () => {
    await initTensorBackend();
  });

  it('keeps on top of a broadcast exactly the own updates it does not hold, so one learner tracks the server', () => {
    const learnerNetwork = new QNetwork(SPEC, 'lookahead-learner');
    const server = new QNetwork(SPEC, 'lookahead-server');
    server.copyFrom(learnerNetwork);
    const serverAdam = new AdamParameterOptimizer(server, LEARNING_RATE);
    const lookahead = new OwnUpdateLookahead(learnerNetwork, LEARNING_RATE);
    const initial = server.getWeights();

    // Three own updates, applied locally at once; the server has applied only the first when it publishes.
    assert.equal(lookahead.applyOwn(gradient(learnerNetwork, 0)), 0);
    assert.equal(lookahead.applyOwn(gradient(learnerNetwork, 1)), 1);
    assert.equal(lookahead.applyOwn(gradient(learnerNetwork, 2)), 2);
    assert.equal(lookahead.pendingUpdates, 3);
    serverAdam.apply(gradient(server, 0));
    const published = server.getWeights();
    assert.ok(maxDifference(published, initial) > 1e-3, 'the server moved');

    lookahead.adopt(published, 0);
    assert.equal(lookahead.pendingUpdates, 2, 'update 0 is in the broadcast, 1 and 2 are not');
    serverAdam.apply(gradient(server, 1));
    serverAdam.apply(gradient(server, 2));
    // The learner already computes on what the server will hold once 1 and 2 arrive.
    assert.ok(maxDifference(learnerNetwork.getWeights(), server.getWeights()) < 1e-5, 'lookahead = the server after all three');
    // Without the lookahead the learner would sit on the published weights, two updates behind.
    assert.ok(maxDifference(published, server.getWeights()) > 1e-3);

    lookahead.adopt(server.getWeights(), 2);
    assert.equal(lookahead.pendingUpdates, 0);
    assert.deepEqual(learnerNetwork.getWeights(), server.getWeights(), 'a broadcast holding every own update is taken as it is');
    lookahead.dispose();
    serverAdam.dispose();
    learnerNetwork.dispose();
    server.dispose();
  });

  it('keeps every own update over a broadcast that has processed none of them', () => {
    const network = new QNetwork(SPEC, 'lookahead-none');
    const lookahead = new OwnUpdateLookahead(network, LEARNING_RATE);
    const broadcast = network.getWeights();
    lookahead.applyOwn(gradient(network, 3));
    const ahead = network.getWeights();
    lookahead.adopt(broadcast, undefined);
    assert.equal(lookahead.pendingUpdates, 1);
    assert.ok(maxDifference(network.getWeights(), ahead) < 1e-6);
    lookahead.dispose();
    network.dispose();
  });

  it('continues the sequence of a learner id the server already knows, and bounds what it keeps', () => {
    const network = new QNetwork(SPEC, 'lookahead-restart');
    const lookahead = new OwnUpdateLookahead(network, LEARNING_RATE, 2);
    lookahead.adopt(network.getWeights(), 41);
    assert.equal(lookahead.applyOwn(gradient(network, 4)), 42, 'not 0, which the server would count as already processed');
    lookahead.applyOwn(gradient(network, 5));
    lookahead.applyOwn(gradient(network, 6));
    assert.equal(lookahead.pendingUpdates, 2, 'the oldest change is forgotten beyond the bound');
    lookahead.dispose();
    network.dispose();
  });
});
