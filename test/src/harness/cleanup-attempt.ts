/**
 * A cleanup step runner for one namespace: runs each step, and on failure warns what could not be removed
 * instead of throwing, so one failed step never stops the ones after it.
 */
export function cleanupAttempt(namespaceId: string): (what: string, run: () => unknown) => Promise<void> {
  return async (what, run) => {
    try {
      await run();
    } catch (error) {
      console.warn(`cleanup of ${namespaceId}: ${what} failed: ${(error as Error).message}`);
    }
  };
}
