import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, type CommandIo } from '../main';

/** Runs `rec` with `argv` in `environment`, capturing what it prints. */
async function rec(argv: string[], environment: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (line) => out.push(line), err: (line) => err.push(line), environment };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rec config', () => {
  it('lists every setting with its default and the value in effect, marking what the environment sets', async () => {
    const { code, out } = await rec(['config', '--json'], { ACTOR_EPSILON_START: '0.5' });
    assert.equal(code, 0);
    const rows = JSON.parse(out) as Array<{ group: string; variable: string; default: string; value: string; set: boolean }>;
    const epsilon = rows.find((row) => row.variable === 'ACTOR_EPSILON_START');
    assert.deepEqual({ ...epsilon, description: undefined }, { group: 'actor', variable: 'ACTOR_EPSILON_START', default: '0.3', value: '0.5', set: true, description: undefined });
    const brokers = rows.find((row) => row.variable === 'KAFKA_BROKERS');
    assert.equal(brokers?.value, '127.0.0.1:9092');
    assert.equal(brokers?.set, false);
    for (const group of ['common', 'model', 'actor', 'joiner', 'learner', 'parameter-server', 'simulator']) {
      assert.ok(rows.some((row) => row.group === group), `no ${group} settings listed`);
    }
  });

  it('exits 1 naming a variable whose value is invalid', async () => {
    const { code, err, out } = await rec(['config', '--group', 'learner'], { LEARNER_GAMMA: '1.5' });
    assert.equal(code, 1);
    assert.match(err, /learner: [\s\S]*LEARNER_GAMMA/);
    assert.match(out, /LEARNER_GAMMA +0 +\(invalid: 1\.5\)/);
  });

  it('--check passes on the defaults and fails naming the variables of a cross-service violation', async () => {
    assert.equal((await rec(['config', '--check'])).code, 0);
    const passing = await rec(['config', '--check'], { JOINER_REWARD_CLICK: '3' });
    assert.equal(passing.code, 0, 'the simulator is not among the default roles');
    const failing = await rec(['config', '--check', '--roles', 'joiner,simulator'], { JOINER_REWARD_CLICK: '3' });
    assert.equal(failing.code, 1);
    assert.match(failing.err, /JOINER_REWARD_CLICK=3 but SIM_REWARD_CLICK=1/);
  });

  it('refuses an unknown role or group', async () => {
    assert.equal((await rec(['config', '--check', '--roles', 'actor,nobody'])).code, 2);
    assert.equal((await rec(['config', '--group', 'nobody'])).code, 2);
  });
});
