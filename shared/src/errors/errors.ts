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

/** The longest cause chain walked (a guard against cycles). */
const MAX_CAUSE_DEPTH = 16;

/**
 * The `retriable` flag the deepest error of the cause chain that carries one says, or undefined when none
 * does. The deepest wins, as in kafkajs: "retries exceeded" (not retriable) around a connection error
 * (retriable) is an outage, and a DecodeError (not retriable) around a parser's plain Error is poison.
 */
export function declaredRetriable(error: unknown): boolean | undefined {
  let declared: boolean | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth += 1) {
    const flag = (current as { retriable?: unknown }).retriable;
    if (typeof flag === 'boolean') declared = flag;
    current = (current as { cause?: unknown }).cause;
  }
  return declared;
}

/**
 * Whether a failure should be retried (the kafkajs rule): yes, unless the error or one in its cause chain
 * says otherwise. Redis connection errors, command timeouts, broker and coordinator errors and network
 * errors are all retried; only errors that declare `retriable: false` (DecodeError, ValidationError,
 * ConfigError, kafkajs's non-retriable protocol errors) are final. A dead-letter topic is for a message
 * that can never succeed, never for an outage; a handler bug is retried too, which stalls its partition
 * visibly (readiness, rec_<service>_transient_failures_total) instead of losing the data.
 */
export function isRetriable(error: unknown): boolean {
  return declaredRetriable(error) ?? true;
}

/**
 * Whether an error thrown while decoding one message is the message's fault. Decoders are pure functions
 * of the bytes, so anything they throw is poison unless it declares itself retriable.
 */
export function isPoisonMessage(error: unknown): boolean {
  return declaredRetriable(error) !== true;
}

/** The reason label for a thrown value: our errors name theirs; anything else is a handler error. */
export function reasonOf(error: unknown): string {
  return error instanceof RecError ? error.reason : 'handler-error';
}
