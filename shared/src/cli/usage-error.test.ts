import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from 'node:util';
import { isUsageError, usageError } from './usage-error';

test('isUsageError: usageError and parseArgs refusals are usage errors, any other error is not', () => {
  assert.equal(isUsageError(usageError('--out is required')), true);
  let refusal: unknown;
  try {
    parseArgs({ args: ['--bogus'], options: {} });
  } catch (error) {
    refusal = error;
  }
  assert.equal(isUsageError(refusal), true);
  assert.equal(isUsageError(new Error('connection refused')), false);
  assert.equal(isUsageError('--out is required'), false);
});
