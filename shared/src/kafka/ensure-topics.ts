// Before kafkajs: it then groups messages per partition in linear time, and a send it acknowledges is
// written to every partition (see the two modules).
import './kafkajs-linear-grouping';
import './kafkajs-partition-retry';
import type { Admin } from 'kafkajs';
import { ConfigResourceTypes, ConfigSource } from 'kafkajs';
import type { TopicSpec } from './topics';

/**
 * How much of the broker a process may change (MANAGE_TOPICS): `alter` creates missing topics, raises
 * partition counts and sets the configs the topic list declares where they differ, key by key, keeping
 * every other override an operator set; `create` only creates missing topics and never touches an
 * existing one; `off` touches nothing (topics are provisioned by the operator).
 */
export const TOPIC_MANAGEMENT_MODES = ['alter', 'create', 'off'] as const;
export type TopicManagementMode = (typeof TOPIC_MANAGEMENT_MODES)[number];

export interface EnsureTopicsResult {
  created: string[];
  updated: string[];
}

/**
 * Makes the broker match the topic list as far as `mode` allows (see TopicManagementMode): creates
 * missing topics and, with `alter`, raises partition counts that are too low and re-applies the declared
 * configs of existing topics. Safe to run any number of times.
 *
 * kafkajs has no incrementalAlterConfigs, and its alterConfigs replaces a topic's whole set of dynamic
 * configs; so an alter sends the topic's current overrides (source TOPIC_CONFIG) with only the declared
 * keys changed: `min.insync.replicas` or any other key an operator set survives. (A concurrent change by
 * someone else between the describe and the alter can still be lost; sensitive values, which the broker
 * never returns, are not expected on these topics.)
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], mode: TopicManagementMode = 'alter'): Promise<EnsureTopicsResult> {
  if (mode === 'off') return { created: [], updated: [] };
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: -1,
        configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  const present = mode === 'alter' ? specs.filter((spec) => existing.has(spec.name)) : [];
  const updated: string[] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
    const partitionsOf = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
    const tooFew = present.filter((spec) => (partitionsOf.get(spec.name) ?? 0) < spec.partitions);
    if (tooFew.length > 0) {
      await admin.createPartitions({ topicPartitions: tooFew.map((spec) => ({ topic: spec.name, count: spec.partitions })) });
    }
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.name })),
    });
    const overridesOf = new Map<string, Map<string, string>>();
    const drifted = present.filter((spec) => {
      const resource = described.resources.find((entry) => entry.resourceName === spec.name);
      const entries = resource?.configEntries ?? [];
      const actual = new Map(entries.map((entry) => [entry.configName, entry.configValue]));
      const overrides = entries.filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG && !entry.isSensitive && entry.configValue !== null);
      overridesOf.set(spec.name, new Map(overrides.map((entry) => [entry.configName, entry.configValue])));
      return Object.entries(spec.configs).some(([name, value]) => actual.get(name) !== value);
    });
    if (drifted.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: drifted.map((spec) => ({
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          // The operator's overrides, with only the declared keys set to the declared values.
          configEntries: [...new Map([...(overridesOf.get(spec.name) ?? new Map<string, string>()), ...Object.entries(spec.configs)])].map(([name, value]) => ({ name, value })),
        })),
      });
      updated.push(...drifted.map((spec) => spec.name), ...tooFew.map((spec) => spec.name));
    } else {
      updated.push(...tooFew.map((spec) => spec.name));
    }
  }
  return { created: missing.map((spec) => spec.name), updated: [...new Set(updated)] };
}
