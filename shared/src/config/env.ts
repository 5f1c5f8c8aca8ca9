import { bool, cleanEnv, makeExactValidator, num, port, str, type CleanedEnv, type ValidatorSpec } from 'envalid';
import { ConfigError } from '../errors/errors';

export { bool, num, port, str };

/**
 * Reads and validates environment variables once. A missing or bad value throws a ConfigError whose
 * message names every offending variable; the composition root prints it and exits non-zero.
 */
export function readEnv<S extends Record<string, ValidatorSpec<unknown>>>(
  specs: S,
  environment: NodeJS.ProcessEnv = process.env,
): CleanedEnv<S> {
  return cleanEnv(environment, specs, {
    reporter: ({ errors }) => {
      const entries = Object.entries(errors as Record<string, Error | undefined>);
      if (entries.length === 0) return;
      const lines = entries.map(([name, error]) => `  ${name}: ${error?.message ?? 'invalid'}`);
      throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
    },
  });
}

/** A number in [min, max], for hyperparameters. */
export function numIn(min: number, max: number) {
  return makeExactValidator<number>((input) => {
    const value = Number(input);
    if (input.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`must be a number in [${min}, ${max}], got "${input}"`);
    }
    return value;
  });
}

/** An integer in [min, max]. */
export function intIn(min: number, max: number) {
  return makeExactValidator<number>((input) => {
    const value = Number(input);
    if (input.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`must be an integer in [${min}, ${max}], got "${input}"`);
    }
    return value;
  });
}

/** Parses comma-separated positive integers, e.g. hidden layer sizes "256,256,64"; throws on anything else. */
export function parsePositiveIntList(input: string): number[] {
  const values = input.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new Error(`must be comma-separated positive integers, got "${input}"`);
  }
  return values;
}

/** Comma-separated positive integers, e.g. hidden layer sizes "256,256,64". */
export const positiveIntList = makeExactValidator<number[]>(parsePositiveIntList);
