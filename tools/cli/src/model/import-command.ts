import { parseArgs } from 'node:util';
import { ModelControl, usageError } from '@rec/shared';
import type { Command } from '../command';
import { connect } from '../connections';
import { loadAndWait } from './load-and-wait';
import { modelShape } from './model-weights';

export const importCommand: Command = {
  name: 'import',
  summary: 'make a LayersModel (written by rec export) the model\'s next version',
  usage: `usage: rec import <dir | dir/model.json> [--timeout-ms 30000]

Reads a LayersModel written by rec export (same MODEL_HIDDEN_SIZES and encoders), stages its weights in
Redis and has the parameter server publish them as the model's next version, as rec rollback does.`,
  async run(args, io) {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { 'timeout-ms': { type: 'string', default: '30000' } } });
    const source = positionals[0];
    if (source === undefined) throw usageError('the model folder is required');
    const { QNetwork, fromLayersModel, initTensorBackend, loadLayersModel } = await import('@rec/shared/model');
    await initTensorBackend(undefined, io.environment.TENSOR_BACKEND || undefined);
    const network = new QNetwork(modelShape(io.environment), 'import');
    const connections = connect(io.environment);
    try {
      const weights = fromLayersModel(network, await loadLayersModel(source));
      await new ModelControl(connections.redis, connections.keys, connections.config.modelId).stage(network.layoutHash, weights);
      const result = await loadAndWait(connections, { kind: 'staged', description: source }, Number(values['timeout-ms']));
      if (result.version === null) {
        io.err(`rec import: the parameter server refused: ${result.error}`);
        return 1;
      }
      io.out(`rec import: ${source} is now version ${result.version} of model ${connections.config.modelId}`);
      return 0;
    } finally {
      network.dispose();
      await connections.close();
    }
  },
};
