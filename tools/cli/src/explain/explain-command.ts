import { parseArgs } from 'node:util';
import { usageError } from '@rec/shared';
import type { Command, CommandIo } from '../command';

interface Contribution {
  feature: string;
  value: number;
  contribution: number;
}

interface ExplainedItem {
  itemId: string;
  position: number;
  explored: boolean;
  propensity: number;
  loggedScore: number;
  score?: number;
  error?: string;
  parts?: { interaction: number; itemBias: number };
  interactionByState?: { topFeatures: Contribution[]; otherFeatures: number; towerBias: number };
  interactionByItem?: { topFeatures: Contribution[]; otherFeatures: number; embeddingBias: number };
  itemBias?: { topFeatures: Contribution[]; otherFeatures: number; constant: number };
  positionTerm?: { value: number };
}

interface Explanation {
  requestId: string;
  userId: string;
  modelVersion: number;
  policy: string;
  epsilon: number;
  items: ExplainedItem[];
}

const number = (value: number) => (value >= 0 ? '+' : '') + value.toFixed(4);

function print(explanation: Explanation, io: CommandIo): void {
  io.out(`request ${explanation.requestId} for user ${explanation.userId}: model version ${explanation.modelVersion}, ${explanation.policy}, epsilon ${explanation.epsilon}`);
  for (const item of explanation.items) {
    const how = item.explored ? `explored (random pick, propensity ${item.propensity.toFixed(4)})` : `greedy (propensity ${item.propensity.toFixed(4)})`;
    io.out(`\n#${item.position} ${item.itemId}: score ${item.loggedScore.toFixed(4)}, ${how}`);
    if (item.error !== undefined || item.parts === undefined) {
      io.out(`  ${item.error ?? 'no explanation'}`);
      continue;
    }
    io.out(`  = interaction with this user ${number(item.parts.interaction)}  + item's own bias ${number(item.parts.itemBias)}`);
    io.out('  interaction, by what the user\'s state holds:');
    for (const entry of item.interactionByState!.topFeatures) io.out(`    ${number(entry.contribution)}  ${entry.feature} = ${entry.value.toFixed(3)}`);
    io.out(`    ${number(item.interactionByState!.otherFeatures)}  every other state feature`);
    io.out(`    ${number(item.interactionByState!.towerBias)}  the state tower's own bias`);
    io.out('  interaction, by what the item is:');
    for (const entry of item.interactionByItem!.topFeatures) io.out(`    ${number(entry.contribution)}  ${entry.feature} = ${entry.value.toFixed(3)}`);
    io.out(`    ${number(item.interactionByItem!.otherFeatures)}  every other item feature`);
    io.out(`    ${number(item.interactionByItem!.embeddingBias)}  the item embedding's bias`);
    io.out('  item bias:');
    for (const entry of item.itemBias!.topFeatures) io.out(`    ${number(entry.contribution)}  ${entry.feature} = ${entry.value.toFixed(3)}`);
    io.out(`    ${number(item.itemBias!.otherFeatures + item.itemBias!.constant)}  other features and the constant`);
    io.out(`  learned position term at #${item.position}: ${number(item.positionTerm!.value)} (training only, not in the score)`);
  }
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'why a request got its slate: each score split into the state\'s and the item\'s contributions',
  usage: `usage: rec explain <requestId> [--actor <url>]... [--json]

Asks the actors (GET <url>/explain/<requestId>; --actor repeats, or REC_ACTOR_URLS=url,url) which one
served the request, and prints each item's score split into parts that add up to the logged score: the
interaction of the user's state with the item (by state feature, and by item feature), the item's learned
bias, plus whether it was explored, its propensity and the learned position term. An actor keeps the
newest ACTOR_EXPLAIN_RECENT actions; the state expires after ACTOR_REQUEST_STATE_TTL_MS.`,
  async run(args, io) {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { actor: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } } });
    const requestId = positionals[0];
    if (requestId === undefined) throw usageError('the requestId is required');
    const actors = values.actor ?? (io.environment.REC_ACTOR_URLS ?? 'http://127.0.0.1:9464').split(',').map((url) => url.trim()).filter(Boolean);
    const answers: string[] = [];
    for (const actor of actors) {
      let response: Response;
      try {
        response = await fetch(`${actor.replace(/\/$/, '')}/explain/${encodeURIComponent(requestId)}`);
      } catch (error) {
        answers.push(`${actor}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const body = (await response.json()) as Explanation & { error?: string };
      if (response.status === 200) {
        if (values.json) io.out(JSON.stringify(body, null, 2));
        else print(body, io);
        return 0;
      }
      answers.push(`${actor}: ${response.status} ${body.error ?? ''}`);
      // Found but not explainable (expired state, another policy): no other actor will do better.
      if (response.status !== 404) break;
    }
    io.err(`rec explain: no explanation for ${requestId}:\n  ${answers.join('\n  ')}`);
    return 1;
  },
};
