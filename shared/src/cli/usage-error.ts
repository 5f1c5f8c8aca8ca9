/**
 * A mistake in a command line, in the shape of node:util parseArgs's own errors (code ERR_PARSE_ARGS_*),
 * so that a command's one catch tells the operator what was wrong and prints the usage, where any other
 * error is a bug and keeps its stack.
 */
export function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
}

/** An error from parseArgs itself (unknown option, missing value) or from usageError. */
export function isUsageError(error: unknown): error is Error {
  return error instanceof Error && String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
}
