import type { Logger } from '@rec/shared';

export type LogLine = { fields: Record<string, unknown>; message: string };

/** A logger that keeps what a component warns about and reports (a test reads the lines, nothing is printed). */
export function recordingLogger(): { logger: Logger; warnings: LogLine[]; infos: LogLine[] } {
  const warnings: LogLine[] = [];
  const infos: LogLine[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }),
    info: (fields: Record<string, unknown>, message: string) => void infos.push({ fields, message }),
    debug: () => undefined,
    error: () => undefined,
    child: () => logger,
  };
  return { logger: logger as unknown as Logger, warnings, infos };
}
