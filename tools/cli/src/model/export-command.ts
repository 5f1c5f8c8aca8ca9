import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from '@rec/shared';
import type { Command } from '../command';
import { connect } from '../connections';
import { versionLayersModel } from './version-layers-model';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a version as a TensorFlow.js LayersModel (model.json + weights.bin)',
  usage: `usage: rec export --out <dir> [--version <v>]

Writes <dir>/model.json and <dir>/weights.bin in the TensorFlow.js LayersModel format: inputs "state"
[batch, state dim], "item" [batch, item dim] (the encoders in shared/src/state) and "itemRow" [batch, 1]
(the item's row of the per-item table: its identity hash modulo MODEL_ITEM_ID_BUCKETS, itemRowsOf in
@rec/shared/model), output Q [batch, 1], the score the actors rank by. Load it with
tf.loadLayersModel('file://<dir>/model.json') (tfjs-node) or over http. --version takes one from the
weights history (default: the newest). MODEL_HIDDEN_SIZES and MODEL_ITEM_ID_* must be the services'.`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' }, version: { type: 'string' } } });
    if (values.out === undefined) throw usageError('--out <dir> is required');
    const version = values.version === undefined ? null : Number(values.version);
    const connections = connect(io.environment);
    try {
      const built = await versionLayersModel(connections, version, io, 'export');
      if (built === null) return 1;
      const { saveLayersModel } = await import('@rec/shared/model');
      const out = path.resolve(values.out);
      await saveLayersModel(built.model, out);
      built.model.dispose();
      io.out(`rec export: version ${built.version} of model ${connections.config.modelId} written to ${out}/model.json`);
      return 0;
    } finally {
      await connections.close();
    }
  },
};
