import type { Consumer } from 'kafkajs';

/**
 * Readiness of a consumer-group member: true once it has joined its group and completed a fetch after the
 * join. By then its partitions' positions are resolved (committed offsets, or the start position of a
 * group without any, e.g. the log end for `latest`), so a message produced from now on will be read: a
 * ready actor answers every request published after /readyz said so. Attach before `consumer.run`.
 */
export function consumerReadiness(consumer: Consumer): () => boolean {
  let joined = false;
  let fetchedSinceJoin = false;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    joined = true;
    // A member with nothing assigned (more members than partitions) has no position to wait for.
    fetchedSinceJoin = Object.values(payload.memberAssignment).every((partitions) => partitions.length === 0);
  });
  consumer.on(consumer.events.FETCH, () => {
    if (joined) fetchedSinceJoin = true;
  });
  // Stays ready across later rebalances: readiness is about having started, not about every rebalance.
  let ready = false;
  return () => (ready ||= joined && fetchedSinceJoin);
}
