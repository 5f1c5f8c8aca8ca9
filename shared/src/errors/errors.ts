/**
 * One error hierarchy for every service. `retriable` drives the retry policy: a retriable error makes
 * the consumer re-read the message later; a non-retriable one sends the message to its dead-letter
 * topic with `reason` in the headers.
 */
export class RecError extends Error {
  readonly retriable: boolean;
  /** Short machine-readable reason, used as a metric label and a DLQ header. */
  readonly reason: string;

  constructor(message: string, options: { retriable: boolean; reason: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable;
    this.reason = options.reason;
  }
}

/** Bytes that are not valid Avro for the expected schema. Never retriable. */
export class DecodeError extends RecError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: false, reason: 'decode', cause });
  }
}

/** A well-formed record whose content is invalid (empty ids, NaN, unknown item...). Never retriable. */
export class ValidationError extends RecError {
  constructor(message: string, reason = 'invalid') {
    super(message, { retriable: false, reason });
  }
}

/** A bad configuration value: the process stops with this message. */
export class ConfigError extends RecError {
  constructor(message: string) {
    super(message, { retriable: false, reason: 'config' });
  }
}

/** A dependency hiccup (broker, Redis) worth retrying. */
export class TransientError extends RecError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: true, reason: 'transient', cause });
  }
}

/**
 * Whether a thrown value should be retried. Our own errors and kafkajs's errors carry the flag; anything
 * else is a bug in a handler, which retrying would only repeat, so it is not retriable (the message goes
 * to the dead-letter topic and nothing is lost).
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof RecError) return error.retriable;
  if (typeof error === 'object' && error !== null && 'retriable' in error) {
    return (error as { retriable: unknown }).retriable === true;
  }
  return false;
}

/** The reason label for a thrown value: our errors name theirs; anything else is a handler error. */
export function reasonOf(error: unknown): string {
  return error instanceof RecError ? error.reason : 'handler-error';
}
