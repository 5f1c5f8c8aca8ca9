import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from '@rec/shared';
import type { Estimate } from '@rec/ope';
import type { Command, CommandIo } from '../command';
import { connect } from '../connections';
import { parseVersion } from '../model/model-weights';
import { versionLayersModel } from '../model/version-layers-model';

/** --from / --to: epoch milliseconds or an ISO date. */
function parseTime(text: string | undefined, name: string): number | null {
  if (text === undefined) return null;
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value)) throw usageError(`${name} takes epoch milliseconds or an ISO date, got "${text}"`);
  return value;
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'off-policy evaluation of a candidate model (a version or an exported file) on a logged window: IPS, SNIPS, DR with 95% CIs',
  usage: `usage: rec evaluate (--version <v> | --model <dir>) [--epsilon 0] [--policy <name>] [--logged-version <v>]
                    [--from <time>] [--to <time>] [--json]

Estimates the reward per shown slot the candidate would earn if the actors served it, from what the
deployment logged, without serving it. The candidate is a version from the weights history (--version)
or a LayersModel written by rec export (--model <dir>), served epsilon-greedily with --epsilon (0: greedy)
by Q, as the actors serve. The log: the joiner's transitions (the state each request was scored with, and
each shown item's reward, the learner's reward) joined with rec.requests.v1, rec.actions.v1 (policy,
epsilon, propensities) and rec.catalog.v1 (the candidates: the catalog's latest state), read to their
current end. --policy keeps requests one policy served (ddqn, popularity, random), --logged-version those
one model version served, --from/--to (epoch ms or ISO date, of the request) a time window.

Prints IPS, self-normalised IPS and doubly robust estimates with 95% confidence intervals (normal
approximation, slots of one request are one sample), the logged policy's own reward per slot on the same
requests, the slots where the candidate would show the logged item (matched), the effective sample size
and the largest importance weight. The estimator is per slot (item-position): the logged propensity of
each slot is the marginal P(item at position | request), and it is unbiased when a slot's reward depends on
the request, its item and its position only, not on the other items of the slate. Requires every item the
candidate may show at a position to have a positive logged propensity there (any epsilon > 0 gives it).`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        version: { type: 'string' },
        model: { type: 'string' },
        epsilon: { type: 'string', default: '0' },
        policy: { type: 'string' },
        'logged-version': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if ((values.version === undefined) === (values.model === undefined)) throw usageError('give the candidate: --version <v> or --model <dir>');
    const epsilon = Number(values.epsilon);
    if (!(epsilon >= 0 && epsilon <= 1)) throw usageError(`--epsilon is in [0, 1], got "${values.epsilon}"`);
    const from = parseTime(values.from, '--from');
    const to = parseTime(values.to, '--to');
    const loggedVersion = values['logged-version'] === undefined ? null : parseVersion(values['logged-version']);

    const ope = await import('@rec/ope');
    const { initTensorBackend, loadLayersModel } = await import('@rec/shared/model');
    const connections = connect(io.environment);
    try {
      let candidate: { description: string; model: Awaited<ReturnType<typeof loadLayersModel>> };
      if (values.model !== undefined) {
        await initTensorBackend(undefined, io.environment.TENSOR_BACKEND || undefined);
        candidate = { description: path.resolve(values.model), model: await loadLayersModel(values.model) };
      } else {
        const built = await versionLayersModel(connections, parseVersion(values.version), io, 'evaluate');
        if (built === null) return 1;
        candidate = { description: `version ${built.version} of model ${connections.config.modelId}`, model: built.model };
      }

      const run = await ope.readLoggedRun(connections.kafka, connections.topics, connections.logger, { transitions: true });
      const logged = ope.joinTransitions(run).filter(
        (request) =>
          (values.policy === undefined || request.policy === values.policy) &&
          (loggedVersion === null || request.modelVersion === loggedVersion) &&
          (from === null || request.timestamp >= from) &&
          (to === null || request.timestamp < to),
      );
      if (logged.length === 0) {
        io.err(`rec evaluate: no logged requests with transitions on ${connections.topics.transitions} in the window (${run.transitions.length} transitions, ${run.actions.length} actions read)`);
        return 1;
      }
      const target = ope.modelTarget({ name: candidate.description, model: candidate.model, catalog: run.catalog, epsilon, requests: logged });
      const evaluation = ope.evaluateTarget(logged, target);
      candidate.model.dispose();

      const report = {
        candidate: candidate.description,
        epsilon,
        requests: evaluation.requests,
        slots: evaluation.ctr.slots,
        policies: [...new Set(logged.map((request) => request.policy))],
        loggedVersions: [...new Set(logged.map((request) => request.modelVersion))].sort((a, b) => a - b),
        from: logged[0].timestamp,
        to: logged.at(-1)!.timestamp,
        catalogItems: run.catalog.filter((item) => item.available).length,
        ips: evaluation.ctr.ips,
        snips: evaluation.ctr.snips,
        dr: evaluation.ctr.dr,
        logged: evaluation.loggingValue,
        matchedSlots: evaluation.ctr.matchedSlots,
        effectiveSampleSize: evaluation.ctr.effectiveSampleSize,
        maxWeight: evaluation.ctr.maxWeight,
        skippedSlots: evaluation.skippedSlots,
        perPosition: evaluation.perPosition.map((position, index) => ({ position: index, slots: position.slots, ips: position.ips, snips: position.snips, dr: position.dr })),
      };
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else print(report, io);
      return 0;
    } finally {
      await connections.close();
    }
  },
};

function print(report: { candidate: string; epsilon: number; requests: number; slots: number; policies: string[]; from: number; to: number; ips: Estimate; snips: Estimate; dr: Estimate; logged: Estimate; matchedSlots: number; effectiveSampleSize: number; maxWeight: number }, io: CommandIo): void {
  const interval = (estimate: Estimate) => `${estimate.value.toFixed(4)}  [${estimate.ci95[0].toFixed(4)}, ${estimate.ci95[1].toFixed(4)}]`;
  io.out(`rec evaluate: ${report.candidate}, epsilon ${report.epsilon}, on ${report.requests} logged requests (${report.slots} slots; served by ${report.policies.join(', ')}; ${new Date(report.from).toISOString()} to ${new Date(report.to).toISOString()})`);
  io.out('reward per slot       estimate  [95% CI]');
  io.out(`  IPS                 ${interval(report.ips)}`);
  io.out(`  SNIPS               ${interval(report.snips)}`);
  io.out(`  doubly robust       ${interval(report.dr)}`);
  io.out(`  logged policy       ${interval(report.logged)}  (on-policy, same requests)`);
  io.out(`matched slots ${report.matchedSlots}/${report.slots}, effective sample size ${report.effectiveSampleSize.toFixed(1)}, largest weight ${report.maxWeight.toFixed(2)}`);
}
