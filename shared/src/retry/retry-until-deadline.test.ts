import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ValidationError } from '../errors/errors';
import { retryUntilDeadline } from './retry-until-deadline';

const logger = pino({ level: 'silent' });
const fast = { initialMs: 1, maxMs: 2 };

describe('retryUntilDeadline', () => {
  it('retries retriable failures until the step succeeds', async () => {
    let calls = 0;
    const coordinatorError = Object.assign(new Error('This is not the correct coordinator for this group'), { retriable: true });
    const result = await retryUntilDeadline(
      'fetch offsets',
      async () => {
        calls += 1;
        if (calls < 4) throw coordinatorError;
        return 'ok';
      },
      { deadlineMs: 60_000, logger, backoff: fast },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 4);
  });

  it('throws a non-retriable failure at once', async () => {
    let calls = 0;
    await assert.rejects(
      retryUntilDeadline('validate', async () => {
        calls += 1;
        throw new ValidationError('bad');
      }, { deadlineMs: 60_000, logger, backoff: fast }),
      ValidationError,
    );
    assert.equal(calls, 1);
  });

  it('gives up with the last error once the deadline has passed', async () => {
    let calls = 0;
    await assert.rejects(
      retryUntilDeadline('connect', async () => {
        calls += 1;
        throw new Error(`refused ${calls}`);
      }, { deadlineMs: 0, logger, backoff: fast }),
      /refused 1/,
    );
    assert.equal(calls, 1);
  });
});
