import type { Admin } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import type { TopicSpec } from './topics';

export interface EnsureTopicsResult {
  created: string[];
  updated: string[];
}

/**
 * Makes the broker match the topic list: creates missing topics, raises partition counts that are too
 * low, and re-applies the declared configs of existing topics. Safe to run any number of times.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<EnsureTopicsResult> {
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
  const present = specs.filter((spec) => existing.has(spec.name));
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
    const drifted = present.filter((spec) => {
      const resource = described.resources.find((entry) => entry.resourceName === spec.name);
      const actual = new Map(resource?.configEntries.map((entry) => [entry.configName, entry.configValue]) ?? []);
      return Object.entries(spec.configs).some(([name, value]) => actual.get(name) !== value);
    });
    if (drifted.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: drifted.map((spec) => ({
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
        })),
      });
      updated.push(...drifted.map((spec) => spec.name), ...tooFew.map((spec) => spec.name));
    } else {
      updated.push(...tooFew.map((spec) => spec.name));
    }
  }
  return { created: missing.map((spec) => spec.name), updated: [...new Set(updated)] };
}
