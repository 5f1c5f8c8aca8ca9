import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DecodeError, TransientError, ValidationError, isPoisonMessage, isRetriable, reasonOf } from './errors';

describe('error hierarchy', () => {
  it('marks decode, validation and config errors non-retriable and transient ones retriable', () => {
    assert.equal(isRetriable(new DecodeError('bad bytes')), false);
    assert.equal(isRetriable(new ValidationError('bad value')), false);
    assert.equal(isRetriable(new ConfigError('bad config')), false);
    assert.equal(isRetriable(new TransientError('broker hiccup')), true);
  });

  it('treats an error as retriable unless it says otherwise (kafkajs rule): ioredis errors, timeouts, bugs', () => {
    assert.equal(isRetriable(Object.assign(new Error('kafkajs'), { retriable: true })), true);
    assert.equal(isRetriable(Object.assign(new Error('kafkajs'), { retriable: false })), false);
    // ioredis raises plain errors without a flag: an outage, never poison.
    assert.equal(isRetriable(new Error('Connection is closed.')), true);
    assert.equal(isRetriable(new Error('Command timed out')), true);
    assert.equal(isRetriable(new TypeError('undefined is not a function')), true);
    assert.equal(isRetriable('a string'), true);
    assert.equal(isRetriable(null), true);
  });

  it('walks the cause chain: the deepest declared flag decides', () => {
    const connection = Object.assign(new Error('Connection error: ECONNREFUSED'), { retriable: true });
    const exceeded = Object.assign(new Error('retries exceeded', { cause: connection }), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false });
    assert.equal(isRetriable(exceeded), true, 'retries exceeded around a connection error is an outage');
    assert.equal(isRetriable(new Error('wrapped', { cause: new ValidationError('bad') })), false, 'a plain wrapper around poison stays poison');
    assert.equal(isRetriable(new DecodeError('bad bytes', new RangeError('index out of range'))), false);
    assert.equal(isRetriable(new TransientError('redis', new Error('Command timed out'))), true);
    const cyclic: Error & { cause?: unknown } = new Error('cycle');
    cyclic.cause = cyclic;
    assert.equal(isRetriable(cyclic), true, 'a cyclic chain ends');
  });

  it('counts anything a decoder throws as poison unless it declares itself retriable', () => {
    assert.equal(isPoisonMessage(new RangeError('Maximum call stack size exceeded')), true);
    assert.equal(isPoisonMessage(new DecodeError('x')), true);
    assert.equal(isPoisonMessage(new TransientError('x')), false);
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
