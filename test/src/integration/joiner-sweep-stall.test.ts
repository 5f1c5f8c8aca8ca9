import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PendingRequestStore, SweepFailure, readJoinerConfig, startJoiner } from '@rec/joiner';
import { BatchingProducer, LiveCatalog, RequestStateStore, codecs } from '@rec/shared';
import { joinerOnRedis, openTestContext, recordingLogger, sampleCatalogItem, sleep, type TestContext } from '../harness';
import { ServiceStack } from '../harness/service-stack';

/**
 * The producer the joiner sends with, on the real broker, behind a gate the test holds shut: a send that
 * hangs the way the soak's sweep did (minutes, no error), until the gate opens and it goes through.
 */
function gatedProducer(real: BatchingProducer): { producer: BatchingProducer; open(): void; sends: () => number } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let sends = 0;
  const producer = {
    sendAll: async (topic: string, messages: Parameters<BatchingProducer['sendAll']>[1]) => {
      sends += 1;
      await gate;
      await real.sendAll(topic, messages);
    },
    backlog: () => real.backlog(),
  } as unknown as BatchingProducer;
  return { producer, open, sends: () => sends };
}

/**
 * A sweep whose send hangs, on the real Redis and broker: it is logged while it hangs (naming the phase),
 * fails at its bound instead of holding every later sweep, the stall shows in rec_joiner_seconds_since_sweep
 * and readiness, nothing is sent twice meanwhile, and once the send goes through each transition is on
 * the topic exactly once and the sweeps recover. The shutdown's final sweep ends within its budget.
 */
describe('joiner sweep stall', () => {
  let ctx: TestContext;
  let real: BatchingProducer;
  const catalog = new LiveCatalog();
  catalog.upsert(sampleCatalogItem({ itemId: 'i1' }));

  before(async () => {
    ctx = await openTestContext('sweep-stall');
    await ctx.createTopics(1);
    real = new BatchingProducer(ctx.kafka);
    await real.connect();
    ctx.onCleanup(() => real.disconnect());
  });
  after(() => ctx.cleanup());

  const joinerWith = (env: Record<string, string>, producer: BatchingProducer) => {
    const config = readJoinerConfig({ JOINER_SWEEP_SLOW_PHASE_MS: '100', JOINER_SWEEP_PHASE_TIMEOUT_MS: '500', JOINER_SWEEP_STALL_MS: '300', ...env });
    const redis = ctx.redis.duplicate();
    ctx.onCleanup(() => redis.quit());
    const pending = new PendingRequestStore(redis, ctx.ns.keys, { ttlMs: 60_000, rewardWaitMs: 60_000, dedupTtlMs: 60_000, historyLength: 50, historyTtlMs: 60_000 });
    const { logger, warnings } = recordingLogger();
    const { joiner, metric } = joinerOnRedis(ctx, { redis, pending, producer, catalog, config, logger });
    return { joiner, pending, warnings, metric };
  };

  /** Served requests due now on partition 0, each with its recorded state: one transition each (done, one item). */
  const serve = async (pending: PendingRequestStore, requestIds: string[]) => {
    const states = new RequestStateStore(ctx.redis, ctx.ns.keys, 60_000);
    const now = Date.now();
    await states.putMany(requestIds.map((requestId) => ({ requestId, requestTimestamp: now, state: Buffer.from(new Float32Array([1, 2]).buffer) })));
    for (const requestId of requestIds) {
      await pending.recordAction({ requestId, userId: `u-${requestId}`, servedAt: now - 1_000, modelVersion: 0, items: [{ itemId: 'i1', position: 0, propensity: 1 }] }, 0, now - 1);
    }
  };

  it('reports a hung send while it hangs, fails at the bound, sends nothing twice, and recovers with each transition once', async () => {
    const gated = gatedProducer(real);
    const { joiner, pending, warnings, metric } = joinerWith({}, gated.producer);
    joiner.setOwnedPartitions([0]);
    const ids = ['stall-a', 'stall-b', 'stall-c'];
    await serve(pending, ids);

    const startedAt = Date.now();
    await assert.rejects(joiner.sweep(), (error: unknown) => error instanceof SweepFailure && error.phase === 'send' && error.timedOut);
    const tookMs = Date.now() - startedAt;
    assert.ok(tookMs >= 450 && tookMs < 5_000, `the hung sweep fails at its bound (500 ms), took ${tookMs} ms`);
    const slow = warnings.find(({ message }) => message === 'sweep phase slow; still waiting');
    assert.equal(slow?.fields.phase, 'send', 'the slow phase is logged while it hangs, by name');
    assert.equal(slow?.fields.partition, 0);
    assert.equal(typeof slow?.fields.queuedMessages, 'number', "the warning carries the producer's backlog");
    assert.match(await metric('rec_joiner_sweep_slow_phases_total'), /phase="send"[^}]*} 1$/m);
    assert.match(await metric('rec_joiner_sweep_failures_total'), /phase="send"[^}]*} 1$/m);
    assert.ok(warnings.some(({ message, fields }) => message === 'sweep failed; retrying next tick' && fields.phase === 'send'));

    // The stall outlives JOINER_SWEEP_STALL_MS: not ready, and the age metric says how long.
    await sleep(100);
    assert.equal(joiner.sweepReady(), false);
    const age = Number(/^rec_joiner_seconds_since_sweep(?:{[^}]*})? (\S+)$/m.exec(await metric('rec_joiner_seconds_since_sweep'))?.[1]);
    assert.ok(age >= 0.3, `rec_joiner_seconds_since_sweep ${age} after 0.6 s without a sweep`);

    // While the send is unacknowledged a sweep fails at once and sends nothing (the same requests are still due).
    await assert.rejects(joiner.sweep(), (error: unknown) => error instanceof SweepFailure && error.phase === 'send');
    assert.equal(gated.sends(), 1, 'nothing was handed to the producer again');
    assert.equal(await pending.pendingCount([0]), ids.length, 'the requests stay due until their send is acknowledged');

    gated.open();
    const deadline = Date.now() + 10_000;
    while ((await pending.pendingCount([0])) > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(await pending.pendingCount([0]), 0, 'the late acknowledgment marked the requests emitted');
    await joiner.sweep();
    assert.equal(joiner.sweepReady(), true, 'a completed sweep makes the joiner ready again');
    assert.match(await metric('rec_joiner_sweep_duration_seconds'), /rec_joiner_sweep_duration_seconds_count{[^}]*} 1$/m);

    const received = await ctx.consumeUntil(ctx.ns.topics.transitions, (messages) => messages.length >= ids.length);
    await sleep(500);
    const all = await ctx.consumeUntil(ctx.ns.topics.transitions, (messages) => messages.length >= received.length, { timeoutMs: 5_000 });
    const requestIds = all.map((message) => codecs.transition.decode(message.value as Buffer).requestId).sort();
    assert.deepEqual(requestIds, [...ids].sort(), 'each request became its transition exactly once');
  });

  it("bounds the shutdown's final sweep by its budget while a send hangs", async () => {
    const gated = gatedProducer(real);
    // A phase bound far beyond the budget: only the budget can end the final sweep in time.
    const { joiner, pending } = joinerWith({ JOINER_SWEEP_PHASE_TIMEOUT_MS: '60000' }, gated.producer);
    joiner.setOwnedPartitions([0]);
    await serve(pending, ['final-a']);
    const inProgress = joiner.sweep().catch((error: unknown) => error);
    await sleep(200);
    const startedAt = Date.now();
    assert.equal(await joiner.finalSweep(300), 'deadline');
    const tookMs = Date.now() - startedAt;
    assert.ok(tookMs < 2_000, `the final sweep returned within its 300 ms budget (+ slack for a busy machine), took ${tookMs} ms`);
    // Let the abandoned send finish so the test leaves nothing running.
    gated.open();
    await inProgress;
  });

  it('sweeps one last time at shutdown before its consumer leaves the group, while no other joiner can own its queues', async () => {
    const { logger, infos } = recordingLogger();
    const runtime = await startJoiner(readJoinerConfig(new ServiceStack(ctx).env()), { handleSignals: false, logger });
    assert.equal(await runtime.shutdown(), true, 'every shutdown step succeeded');
    const steps = infos.filter(({ message }) => message === 'shutdown step done').map(({ fields }) => fields.step);
    assert.ok(steps.includes('final sweep') && steps.includes('consumer'), `steps: ${steps.join(', ')}`);
    assert.ok(steps.indexOf('final sweep') < steps.indexOf('consumer'), `the final sweep ran after the consumer left: ${steps.join(', ')}`);
  });
});
