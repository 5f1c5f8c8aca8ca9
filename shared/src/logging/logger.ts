import pino from 'pino';

/** A structured logger; one root per process, a child per component. */
export type Logger = pino.Logger;

/**
 * The root logger of a service: JSON lines on stdout, level from LOG_LEVEL (default info), every line
 * tagged with the service name. Components take `logger.child({ component })`.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service, pid: process.pid } });
}
