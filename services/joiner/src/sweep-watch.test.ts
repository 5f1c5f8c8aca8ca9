import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceMetrics, type Logger } from '@rec/shared';
import { JoinerMetrics } from './joiner-metrics';
import { SweepFailure, SweepWatch } from './sweep-watch';

function watchWith(options: { slowPhaseMs?: number; phaseTimeoutMs?: number; stallMs?: number } = {}) {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = { warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }) } as unknown as Logger;
  const metrics = new ServiceMetrics('joiner');
  const watch = new SweepWatch({ metrics: new JoinerMetrics(metrics), logger, slowPhaseMs: 20, phaseTimeoutMs: 60, stallMs: 50, ...options });
  return { watch, warnings, metric: async (name: string) => (await metrics.registry.getSingleMetricAsString(name)) ?? '' };
}

describe('sweep watch', () => {
  it('warns about a slow phase while it runs, naming it, then fails it at the bound', async () => {
    const { watch, warnings, metric } = watchWith();
    const never = new Promise<void>(() => undefined);
    const startedAt = Date.now();
    await assert.rejects(
      watch.phase('send', { partition: 3 }, never, { detail: () => ({ queuedMessages: 7 }) }),
      (error: unknown) => error instanceof SweepFailure && error.phase === 'send' && error.timedOut,
    );
    assert.ok(Date.now() - startedAt >= 55);
    const slow = warnings.find(({ message }) => message === 'sweep phase slow; still waiting');
    assert.deepEqual([slow?.fields.phase, slow?.fields.partition, slow?.fields.queuedMessages], ['send', 3, 7]);
    assert.match(await metric('rec_joiner_sweep_slow_phases_total'), /phase="send"/);
  });

  it('bounds a phase by the deadline when it is sooner, and names the phase of a failure', async () => {
    const { watch, warnings } = watchWith({ slowPhaseMs: 10_000, phaseTimeoutMs: 10_000 });
    const startedAt = Date.now();
    await assert.rejects(watch.phase('mark', {}, new Promise(() => undefined), { deadline: Date.now() + 30 }), (error: unknown) => error instanceof SweepFailure && error.phase === 'mark');
    assert.ok(Date.now() - startedAt < 1_000);
    await assert.rejects(watch.phase('claim', {}, Promise.reject(new Error('READONLY'))), (error: unknown) => error instanceof SweepFailure && error.phase === 'claim' && !error.timedOut && /READONLY/.test(error.message));
    assert.deepEqual(await watch.phase('due', {}, Promise.resolve(['r1'])), ['r1']);
    assert.equal(warnings.length, 0, 'no phase ran past JOINER_SWEEP_SLOW_PHASE_MS');
  });

  it('is not ready once partitions are owned and no sweep completed within the stall bound; a completed sweep clears it', async () => {
    const { watch, metric } = watchWith();
    await sleep(80);
    assert.equal(watch.ready(), true, 'owning nothing, nothing can stall');
    watch.owns(2);
    assert.equal(watch.ready(), true, 'the clock starts when partitions are first owned');
    await sleep(80);
    assert.equal(watch.ready(), false);
    watch.owns(1);
    assert.equal(watch.ready(), false, 'a rebalance while owning partitions does not hide the stall');
    assert.match(await metric('rec_joiner_seconds_since_sweep'), /} 0\.\d+$/m);
    watch.completed(Date.now() - 5);
    assert.equal(watch.ready(), true);
    assert.match(await metric('rec_joiner_sweep_duration_seconds'), /_count{[^}]*} 1$/m);
  });

  it('counts every failure but logs them at most every 10 s', () => {
    const { watch, warnings } = watchWith();
    for (let attempt = 0; attempt < 5; attempt += 1) watch.failed(new SweepFailure('send', 'still running', true));
    assert.equal(warnings.filter(({ message }) => message === 'sweep failed; retrying next tick').length, 1);
  });

  it('counts dropped requests by reason and warns about the late ones, once per interval with what it held back', async () => {
    const { watch, warnings, metric } = watchWith();
    const context = { partition: 2, oldestDueAgeMs: 310_000 };
    watch.dropped({ 'no-action': 4, 'missing-state': 0, expired: 0 }, context);
    assert.equal(warnings.length, 0, 'a request whose action never came is not a sign of falling behind');
    watch.dropped({ 'no-action': 0, 'missing-state': 3, expired: 2 }, context);
    watch.dropped({ 'no-action': 0, 'missing-state': 6, expired: 0 }, context);
    const lines = warnings.filter(({ message }) => message.startsWith('requests dropped'));
    assert.equal(lines.length, 1, 'the second batch of losses within the interval is held back');
    assert.deepEqual([lines[0].fields.dropped, lines[0].fields.partition, lines[0].fields.oldestDueAgeMs], [5, 2, 310_000]);
    const dropped = await metric('rec_joiner_requests_dropped_total');
    assert.match(dropped, /reason="no-action"[^}]*} 4$/m);
    assert.match(dropped, /reason="missing-state"[^}]*} 9$/m);
    assert.match(dropped, /reason="expired"[^}]*} 2$/m);
  });
});
