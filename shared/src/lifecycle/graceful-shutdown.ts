import type { Logger } from '../logging/logger';

export type ShutdownStep = { name: string; run: () => Promise<void> };

/**
 * On SIGTERM or SIGINT, runs the steps in order (stop consuming, which lets in-flight work finish and
 * commits its offsets; flush producers; close clients), bounded by `timeoutMs`, then exits: 0 when every
 * step succeeded in time, 1 when one failed or the time ran out (a later step still runs after a failed
 * one: a failed consumer stop must not keep the producer from flushing). Returns the same drain as a
 * function (resolving to whether it was clean), for tests and the demo.
 */
export function installGracefulShutdown(options: {
  logger: Logger;
  timeoutMs: number;
  /** Read when the drain runs, so steps may be added after installing. */
  steps: ShutdownStep[];
  exit?: (code: number) => void;
  /** Listen to SIGTERM/SIGINT (default true; in-process tests pass false and call the drain). */
  listen?: boolean;
}): () => Promise<boolean> {
  const log = options.logger.child({ component: 'shutdown' });
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let draining: Promise<boolean> | null = null;

  const drain = (): Promise<boolean> => {
    if (draining !== null) return draining;
    draining = (async () => {
      const started = Date.now();
      const steps = (async () => {
        let clean = true;
        for (const step of options.steps) {
          try {
            await step.run();
            log.info({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
          } catch (error) {
            clean = false;
            log.error({ step: step.name, err: error }, 'shutdown step failed');
          }
        }
        return clean;
      })();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), options.timeoutMs);
      });
      const finished = await Promise.race([steps.then((clean) => ({ clean })), timeout.then(() => null)]);
      clearTimeout(timer);
      if (finished === null) log.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out; exiting anyway');
      return finished?.clean ?? false;
    })();
    return draining;
  };

  if (options.listen === false) return drain;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'draining');
      void drain().then((clean) => exit(clean ? 0 : 1));
    });
  }
  return drain;
}
