import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DecodeError, TransientError, ValidationError, isRetriable, reasonOf } from './errors';

describe('error hierarchy', () => {
  it('marks decode, validation and config errors non-retriable and transient ones retriable', () => {
    assert.equal(isRetriable(new DecodeError('bad bytes')), false);
    assert.equal(isRetriable(new ValidationError('bad value')), false);
    assert.equal(isRetriable(new ConfigError('bad config')), false);
    assert.equal(isRetriable(new TransientError('broker hiccup')), true);
  });

  it('trusts a retriable flag on foreign errors (kafkajs) and treats anything else as a non-retriable bug', () => {
    assert.equal(isRetriable(Object.assign(new Error('kafkajs'), { retriable: true })), true);
    assert.equal(isRetriable(Object.assign(new Error('kafkajs'), { retriable: false })), false);
    assert.equal(isRetriable(new TypeError('undefined is not a function')), false);
    assert.equal(isRetriable('a string'), false);
    assert.equal(isRetriable(null), false);
  });

  it('names the reason used in DLQ headers and metric labels', () => {
    assert.equal(reasonOf(new DecodeError('x')), 'decode');
    assert.equal(reasonOf(new ValidationError('x', 'unknown-item')), 'unknown-item');
    assert.equal(reasonOf(new ValidationError('x')), 'invalid');
    assert.equal(reasonOf(new Error('x')), 'handler-error');
  });

  it('keeps the class name and the cause', () => {
    const cause = new Error('root');
    const error = new DecodeError('wrapped', cause);
    assert.equal(error.name, 'DecodeError');
    assert.equal(error.cause, cause);
    assert.ok(error instanceof Error);
  });
});
