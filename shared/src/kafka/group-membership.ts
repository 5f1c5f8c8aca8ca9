import type { CommonConfig } from '../config/common-config';

/**
 * The consumer-group timing every service's group consumer uses: a member silent for the session timeout
 * (a crash, a stuck process) loses its partitions to the others; heartbeats go ten times per session.
 */
export function groupMembership(common: CommonConfig): { sessionTimeout: number; heartbeatInterval: number } {
  return { sessionTimeout: common.kafkaSessionTimeoutMs, heartbeatInterval: Math.floor(common.kafkaSessionTimeoutMs / 10) };
}
