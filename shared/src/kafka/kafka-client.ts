// Before kafkajs: it then groups messages per partition in linear time, and a send it acknowledges is
// written to every partition (see the two modules).
import './kafkajs-linear-grouping';
import './kafkajs-partition-retry';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../logging/logger';
import type { KafkaSecurity } from './kafka-security';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose logs go through our structured logger (child component "kafkajs"), with the
 * TLS and SASL options of `security` (see kafkaSecurity) when the cluster needs them.
 */
export function createKafka(options: { clientId: string; brokers: string[]; logger: Logger; security?: KafkaSecurity }): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.security?.ssl === undefined ? {} : { ssl: options.security.ssl }),
    ...(options.security?.sasl === undefined ? {} : { sasl: options.security.sasl }),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, ...extra } = entry;
        log[LEVEL_NAMES[level] ?? 'info']({ namespace, ...extra }, message);
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });
}
