import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runProcess, temporaryDirectory } from '../harness';

/**
 * `npm run evaluate -- --kafka`, small: each policy through the real services and broker (infra/bin/demo
 * per run), summarised into the same evaluation.json as the in-process evaluation, with a chart.
 */

interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

interface Evaluation {
  requests: number;
  seeds: number[];
  transport: string;
  worlds: Record<string, { oracle: { rewardPerRequest: number }; policies: Record<string, { finalRewardPerRequest: Interval; rewardPerSession: Interval }> }>;
}

describe('npm run evaluate -- --kafka, small', () => {
  it('runs each policy through the broker and writes evaluation.json and the chart', async (t) => {
    const out = temporaryDirectory(t.after.bind(t), 'rec-evaluate-kafka-');
    const { code, output } = await runProcess(
      process.execPath,
      ['tools/experiment/dist/evaluate-main.js', '--kafka', '--worlds', 'taste-drift', '--seeds', '7', '--requests', '600', '--policies', 'random,popularity,ddqn', '--out', out, 'SIM_USERS=200', 'SIM_CATALOG_SIZE=150', 'LEARNER_WARMUP=200', 'SIM_PROGRESS_INTERVAL_MS=60000'],
      { env: { LOG_LEVEL: 'warn' }, timeoutMs: 300_000 },
    );
    assert.equal(code, 0, `evaluate --kafka failed:\n${output.slice(-4_000)}`);
    const evaluation = JSON.parse(fs.readFileSync(path.join(out, 'evaluation.json'), 'utf8')) as Evaluation;
    assert.equal(evaluation.transport, 'kafka');
    assert.deepEqual(evaluation.seeds, [7]);
    assert.equal(evaluation.requests, 600);
    const world = evaluation.worlds['taste-drift'];
    assert.ok(world !== undefined, `worlds: ${Object.keys(evaluation.worlds).join(', ')}`);
    assert.ok(world.oracle.rewardPerRequest > 0);
    assert.deepEqual(Object.keys(world.policies).sort(), ['ddqn', 'popularity', 'random']);
    for (const [policy, figures] of Object.entries(world.policies)) {
      assert.ok(Number.isFinite(figures.finalRewardPerRequest.mean) && figures.finalRewardPerRequest.mean >= 0, `${policy}: ${JSON.stringify(figures)}`);
    }
    // Each run is a demo run of its own, with the services' logs kept.
    for (const policy of ['random', 'popularity', 'ddqn']) {
      assert.ok(fs.existsSync(path.join(out, 'broker', `taste-drift-${policy}-7`, 'runs', 'default')), `${policy}'s demo report folder`);
    }
    assert.ok(fs.readFileSync(path.join(out, 'taste-drift.svg'), 'utf8').includes('<svg'));
  });
});
