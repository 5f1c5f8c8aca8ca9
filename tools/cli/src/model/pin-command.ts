import { parseArgs } from 'node:util';
import { ModelControl } from '@rec/shared';
import type { Command } from '../command';
import { connect } from '../connections';
import { historyOf, parseVersion } from './model-weights';

export const pinCommand: Command = {
  name: 'pin',
  summary: 'actors serve this version (from the weights history) until unpinned; learners keep learning',
  usage: `usage: rec pin <version>

Every actor of the model (MODEL_ID) serves <version> instead of the newest weights, within
ACTOR_PIN_POLL_MS (0.5 s by default); actions carry modelVersion=<version>. Learning goes on. The version
must be in the weights history (rec status lists it). rec unpin goes back to the newest.`,
  async run(args, io) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const version = parseVersion(positionals[0]);
    const connections = connect(io.environment);
    try {
      const kept = await historyOf(connections).versions();
      if (!kept.includes(version)) {
        io.err(`rec pin: version ${version} is not in the weights history (kept: ${kept.join(', ') || 'none'})`);
        return 1;
      }
      await new ModelControl(connections.redis, connections.keys, connections.config.modelId).pin(version);
      io.out(`rec pin: actors of model ${connections.config.modelId} now serve version ${version}`);
      return 0;
    } finally {
      await connections.close();
    }
  },
};

export const unpinCommand: Command = {
  name: 'unpin',
  summary: 'actors serve the newest weights again',
  usage: 'usage: rec unpin\n\nUndoes rec pin: every actor of the model goes back to the newest weights within ACTOR_PIN_POLL_MS.',
  async run(args, io) {
    parseArgs({ args, options: {} });
    const connections = connect(io.environment);
    try {
      const control = new ModelControl(connections.redis, connections.keys, connections.config.modelId);
      const was = await control.pinnedVersion();
      await control.unpin();
      io.out(was === null ? 'rec unpin: nothing was pinned' : `rec unpin: version ${was} unpinned; actors serve the newest weights`);
      return 0;
    } finally {
      await connections.close();
    }
  },
};
