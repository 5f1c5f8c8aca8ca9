import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/errors';
import { readSettings } from './read-settings';
import { describeBounds, formatSettingValue, setting } from './setting';

const DECLARED = {
  rate: setting.number('T_RATE', 0.5, [0, 1], 'a rate'),
  steps: setting.int('T_STEPS', 3, [1, 10], 'a count'),
  fast: setting.boolean('T_FAST', false, 'a switch'),
  name: setting.string('T_NAME', '', 'a name'),
  mode: setting.choice('T_MODE', 'a', ['a', 'b'], 'a mode'),
  hosts: setting.stringList('T_HOSTS', ['h:1'], 'hosts'),
  widths: setting.intList('T_WIDTHS', [4, 4, 2], 'widths', 3),
};

function assertConfigError(run: () => unknown, ...names: string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    for (const name of names) assert.ok(error.message.includes(name), `"${error.message}" should name ${name}`);
    return true;
  });
}

describe('declared settings', () => {
  it('read into a config keyed as declared, defaults when unset', () => {
    assert.deepEqual(readSettings(DECLARED, {}), { rate: 0.5, steps: 3, fast: false, name: '', mode: 'a', hosts: ['h:1'], widths: [4, 4, 2] });
  });

  it('parse each type from the environment', () => {
    const config = readSettings(DECLARED, { T_RATE: '0.25', T_STEPS: '10', T_FAST: 'true', T_NAME: 'x', T_MODE: 'b', T_HOSTS: ' a:1, b:2 ,', T_WIDTHS: '8, 8,4' });
    assert.deepEqual(config, { rate: 0.25, steps: 10, fast: true, name: 'x', mode: 'b', hosts: ['a:1', 'b:2'], widths: [8, 8, 4] });
  });

  it('stop on values outside the declared bounds, naming every variable at once', () => {
    assertConfigError(() => readSettings(DECLARED, { T_RATE: '1.5', T_STEPS: '2.5', T_MODE: 'c', T_WIDTHS: '8,8' }), 'T_RATE', 'T_STEPS', 'T_MODE', 'T_WIDTHS');
    assertConfigError(() => readSettings(DECLARED, { T_WIDTHS: '8,0,4' }), 'T_WIDTHS');
    assertConfigError(() => readSettings(DECLARED, { T_FAST: 'maybe' }), 'T_FAST');
  });

  it('describe their defaults and bounds as an operator types them', () => {
    assert.equal(formatSettingValue(DECLARED.widths.default), '4,4,2');
    assert.equal(describeBounds(DECLARED.rate), 'number in [0, 1]');
    assert.equal(describeBounds(DECLARED.steps), 'integer in [1, 10]');
    assert.equal(describeBounds(DECLARED.mode), 'a | b');
    assert.equal(describeBounds(DECLARED.widths), '3 comma-separated positive integers');
  });
});
