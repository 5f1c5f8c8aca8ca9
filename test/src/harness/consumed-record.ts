import type { ConsumedRecord } from '@rec/shared';

/**
 * A decoded record as the batch consumer hands it to a service's handler, for tests that drive a handler
 * directly: keyed by the record's userId, stamped with the current time as its arrival (Kafka) timestamp.
 */
export function consumedRecord<T extends { userId: string }>(topic: string, value: T, position: { partition?: number; offset: number }): ConsumedRecord<T> {
  return { topic, partition: position.partition ?? 0, offset: String(position.offset), key: value.userId, value, timestamp: Date.now(), raw: {} as ConsumedRecord<unknown>['raw'] };
}
