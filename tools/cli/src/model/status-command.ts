import { parseArgs } from 'node:util';
import { ModelControl, readGroupLag } from '@rec/shared';
import type { Command } from '../command';
import { connect } from '../connections';
import { describeVersions, historyOf } from './model-weights';

/** The consumer groups of a deployment (TOPIC_PREFIX + role) and the topics each reads. */
function groupsOf(prefix: string, topics: ReturnType<typeof connect>['topics']): Array<{ group: string; topics: string[] }> {
  return [
    { group: `${prefix}actor`, topics: [topics.requests] },
    { group: `${prefix}joiner`, topics: [topics.actions, topics.feedback] },
    { group: `${prefix}learner`, topics: [topics.transitions] },
    { group: `${prefix}parameter-server`, topics: [topics.modelUpdates] },
  ];
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'model versions, pin, weights history, consumer groups and their lag',
  usage: `usage: rec status [--json]

The model's state (MODEL_ID) as the parameter server last snapshotted it, the pinned version, the weights
history, and per consumer group its members and lag (log end minus committed offset).`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
    const connections = connect(io.environment);
    const admin = connections.kafka.admin();
    try {
      const { config, redis, keys } = connections;
      const snapshot = await redis.hmget(keys.modelSnapshot(config.modelId), 'version', 'targetVersion', 'newestSampleTimestamp', 'layoutHash');
      const [version, targetVersion, newestSample, layoutHash] = snapshot;
      const pinned = await new ModelControl(redis, keys, config.modelId).pinnedVersion();
      const history = await historyOf(connections).versions();
      await admin.connect();
      const described = await admin.describeGroups(groupsOf(config.topicPrefix, connections.topics).map((entry) => entry.group));
      const groups = [];
      for (const { group, topics } of groupsOf(config.topicPrefix, connections.topics)) {
        const members = described.groups.find((entry) => entry.groupId === group)?.members.length ?? 0;
        let lag: number | null;
        try {
          lag = [...(await readGroupLag(admin, group, topics)).values()].reduce((sum, value) => sum + value, 0);
        } catch {
          lag = null;
        }
        groups.push({ group, topics, members, lag });
      }
      const status = {
        modelId: config.modelId,
        version: version === null ? null : Number(version),
        targetVersion: targetVersion === null ? null : Number(targetVersion),
        newestTrainingSample: newestSample === null || newestSample === '' ? null : Number(newestSample),
        layoutHash,
        pinnedVersion: pinned,
        history,
        groups,
      };
      if (values.json) {
        io.out(JSON.stringify(status, null, 2));
        return 0;
      }
      io.out(`model ${config.modelId} (TOPIC_PREFIX '${config.topicPrefix}', REDIS_KEY_PREFIX '${config.redisKeyPrefix}')`);
      if (status.version === null) io.out('  parameter server: no snapshot yet (never started with this Redis and prefix?)');
      else {
        const age = status.newestTrainingSample === null ? 'no training sample yet' : `newest training sample ${Math.round((Date.now() - status.newestTrainingSample) / 1000)} s old`;
        io.out(`  parameter server: version ${status.version}, target ${status.targetVersion}, ${age}`);
      }
      io.out(`  actors serve: ${pinned === null ? 'the newest version' : `version ${pinned} (pinned; rec unpin to undo)`}`);
      io.out(`  weights history: ${describeVersions(history)}`);
      io.out('  consumer groups (lag = messages not committed yet):');
      for (const group of groups) io.out(`    ${group.group.padEnd(36)} ${String(group.members).padStart(2)} members  lag ${group.lag ?? '?'}  (${group.topics.join(', ')})`);
      return 0;
    } finally {
      await admin.disconnect();
      await connections.close();
    }
  },
};
