import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { Consumer } from 'kafkajs';
import pino from 'pino';
import { restartWhenKafkajsGivesUp } from './consumer-restart';

/** The two things the helper uses of a kafkajs consumer: its CRASH event and disconnect(). */
function consumerStub(): Consumer & { crash(restart: boolean): void; disconnects: number } {
  const events = new EventEmitter();
  const stub = {
    events: { CRASH: 'consumer.crash' },
    disconnects: 0,
    on: (event: string, listener: (value: unknown) => void) => events.on(event, listener),
    disconnect: async () => void (stub.disconnects += 1),
    crash: (restart: boolean) => void events.emit('consumer.crash', { payload: { error: new Error('Failed to find group coordinator'), groupId: 'g', restart } }),
  };
  return stub as unknown as Consumer & { crash(restart: boolean): void; disconnects: number };
}

describe('restartWhenKafkajsGivesUp', () => {
  const logger = pino({ level: 'silent' });

  it('starts the consumer again after a crash kafkajs will not restart, and reports the crash', async () => {
    const consumer = consumerStub();
    let starts = 0;
    const crashes: unknown[] = [];
    const restarted = new Promise<void>((resolve) =>
      restartWhenKafkajsGivesUp(consumer, async () => void ((starts += 1), resolve()), { logger, onCrash: (error) => crashes.push(error) }),
    );
    consumer.crash(true);
    assert.equal(crashes.length, 0, 'kafkajs restarts this one itself');
    consumer.crash(false);
    await restarted;
    assert.equal(starts, 1);
    assert.equal(crashes.length, 1);
  });

  it('does not restart a consumer disconnected on purpose', async () => {
    const consumer = consumerStub();
    let starts = 0;
    restartWhenKafkajsGivesUp(consumer, async () => void (starts += 1), { logger });
    consumer.crash(false);
    await consumer.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(starts, 0);
    assert.equal(consumer.disconnects, 1, 'the real disconnect still runs');
  });
});
