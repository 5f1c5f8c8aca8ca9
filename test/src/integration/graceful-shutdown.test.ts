import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchingProducer, createLogger, installGracefulShutdown } from '@rec/shared';
import { openTestContext, sleep, type TestContext } from '../harness';

/** The SIGTERM drain (listen: false, called directly): steps in order, within the bound, on real clients. */
describe('graceful shutdown', () => {
  let ctx: TestContext;
  // The drain logs the failures these tests provoke at error level; keep them out of the test output.
  const logger = createLogger('test-shutdown', 'silent');
  before(async () => {
    ctx = await openTestContext('shutdown');
    await ctx.createTopics(1);
  });
  after(() => ctx.cleanup());

  it('runs the steps in order, flushing a real producer before closing; a failed step runs the rest and reports false', async () => {
    const producer = new BatchingProducer(ctx.kafka, { lingerMs: 200 });
    await producer.connect();
    const order: string[] = [];
    // Queued inside the linger: only the drain's flush gets it to the broker.
    const queued = producer.send(ctx.ns.topics.requests, { key: 'u', value: Buffer.from('last words') });
    const drain = installGracefulShutdown({
      logger,
      timeoutMs: 5_000,
      listen: false,
      exit: () => assert.fail('listen: false must never exit'),
      steps: [
        { name: 'stop consuming', run: async () => void order.push('stop consuming') },
        { name: 'slow step', run: async () => void (await sleep(50), order.push('slow step')) },
        { name: 'producer', run: async () => void (await producer.disconnect(), order.push('producer')) },
        { name: 'failing step', run: async () => void (order.push('failing step'), assert.fail('a failing step does not stop the drain')) },
        { name: 'last', run: async () => void order.push('last') },
      ],
    });
    assert.equal(await drain(), false, 'a failed step makes the drain unclean (the process exits 1)');
    assert.deepEqual(order, ['stop consuming', 'slow step', 'producer', 'failing step', 'last']);
    await queued;
    const received = await ctx.consumeUntil(ctx.ns.topics.requests, (messages) => messages.length >= 1);
    assert.equal(received[0].value?.toString(), 'last words');
    assert.equal(await drain(), false, 'a second drain returns the first one');
  });

  it('reports true when every step succeeds, and the signal handler exits with 0 then', async () => {
    const codes: number[] = [];
    const drain = installGracefulShutdown({ logger, timeoutMs: 5_000, listen: false, steps: [{ name: 'ok', run: async () => undefined }] });
    assert.equal(await drain(), true);
    // The exit code the SIGTERM handler uses is drain() ? 0 : 1 (see installGracefulShutdown).
    codes.push((await drain()) ? 0 : 1);
    assert.deepEqual(codes, [0]);
  });

  it('reports false at the bound when a step hangs, without waiting for it', async () => {
    const order: string[] = [];
    const drain = installGracefulShutdown({
      logger,
      timeoutMs: 300,
      listen: false,
      steps: [
        { name: 'quick', run: async () => void order.push('quick') },
        { name: 'hangs', run: () => new Promise<void>(() => order.push('hangs')) },
        { name: 'never reached', run: async () => void order.push('never reached') },
      ],
    });
    const started = Date.now();
    assert.equal(await drain(), false);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 280 && elapsed < 2_000, `returned after ${elapsed} ms for a 300 ms bound`);
    assert.deepEqual(order, ['quick', 'hangs']);
  });
});
