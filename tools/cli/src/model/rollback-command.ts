import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { connect } from '../connections';
import { loadAndWait } from './load-and-wait';
import { historyOf, parseVersion } from './model-weights';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'make an earlier version (from the weights history) the model\'s next version',
  usage: `usage: rec rollback <version> [--timeout-ms 30000]

The parameter server loads <version> from the weights history into both networks, resets the optimizer,
and publishes it as a new version (versions only increase); actors and learners adopt it at once. Updates
learners computed on the replaced weights are dropped. Waits for the parameter server's answer.`,
  async run(args, io) {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { 'timeout-ms': { type: 'string', default: '30000' } } });
    const version = parseVersion(positionals[0]);
    const connections = connect(io.environment);
    try {
      const kept = await historyOf(connections).versions();
      if (!kept.includes(version)) {
        io.err(`rec rollback: version ${version} is not in the weights history (kept: ${kept.join(', ') || 'none'})`);
        return 1;
      }
      const result = await loadAndWait(connections, { kind: 'history', version }, Number(values['timeout-ms']));
      if (result.version === null) {
        io.err(`rec rollback: the parameter server refused: ${result.error}`);
        return 1;
      }
      io.out(`rec rollback: version ${version}'s weights are now version ${result.version} of model ${connections.config.modelId}`);
      return 0;
    } finally {
      await connections.close();
    }
  },
};
