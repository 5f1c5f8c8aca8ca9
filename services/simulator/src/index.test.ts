import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const PACKAGE_ROOT = path.resolve(__dirname, '..');

test('importing @rec/simulator loads the library and starts nothing: no service, no test fixture, no open handle', () => {
  // A child process that imports the package by name and reports the simulator modules it loaded; it
  // must then exit by itself (a started service would hold Kafka connections and timers open).
  const script = `
    const library = require('@rec/simulator');
    const loaded = Object.keys(require.cache).filter((file) => file.includes('${path.sep}simulator${path.sep}dist${path.sep}'));
    console.log(JSON.stringify({ exports: Object.keys(library), loaded: loaded.map((file) => file.slice(file.lastIndexOf('dist'))) }));
  `;
  const child = spawnSync(process.execPath, ['-e', script], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  const { exports, loaded } = JSON.parse(child.stdout) as { exports: string[]; loaded: string[] };
  for (const name of ['World', 'renderEvaluationChart', 'createSimulation', 'runSimulation', 'SessionSimulator', 'SimulationLedger', 'buildReport', 'oracleSlate', 'hiddenModelPolicy', 'uniformRandomPolicy', 'InProcessTransport', 'readSimulatorConfig']) {
    assert.ok(exports.includes(name), `exports ${name}`);
  }
  assert.ok(loaded.includes(path.join('dist', 'index.js')));
  assert.ok(!loaded.some((file) => file.endsWith(`${path.sep}main.js`) || file.endsWith('-main.js')), `no entry point loaded: ${loaded.join(', ')}`);
  assert.ok(!loaded.some((file) => file.includes('.fixture.') || file.includes('.test.')), `no test code loaded: ${loaded.join(', ')}`);
});
