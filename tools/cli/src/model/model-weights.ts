import { readModelShapeConfig, WeightsHistory, type HistoricWeights } from '@rec/shared';
import type { Connections } from '../connections';

/** The weights history of the model the environment names (MODEL_ID). */
export function historyOf(connections: Connections): WeightsHistory {
  return new WeightsHistory(connections.redis, connections.keys, connections.config.modelId);
}

/** One version from the history, or the newest kept when `version` is null; throws naming what is kept. */
export async function historicWeights(connections: Connections, version: number | null): Promise<HistoricWeights> {
  const history = historyOf(connections);
  const kept = await history.versions();
  const wanted = version ?? kept.at(-1);
  if (wanted === undefined) throw new Error(`model ${connections.config.modelId} has no weights history yet (the parameter server records each version it publishes; PS_WEIGHTS_HISTORY)`);
  const found = await history.load(wanted);
  if (found === null) throw new Error(`version ${wanted} is not in the weights history of model ${connections.config.modelId} (kept: ${describeVersions(kept)})`);
  return found;
}

/** "12 versions, 1210..1234" or "none". */
export function describeVersions(versions: number[]): string {
  if (versions.length === 0) return 'none';
  return versions.length === 1 ? String(versions[0]) : `${versions.length} versions, ${versions[0]}..${versions.at(-1)}`;
}

/** The network shape the services run with (MODEL_HIDDEN_SIZES, MODEL_SEED from the environment). */
export function modelShape(environment: NodeJS.ProcessEnv) {
  return readModelShapeConfig(environment);
}

/** Parses a version argument: a non-negative integer. */
export function parseVersion(text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new Error(`a version is a whole number, got "${text ?? ''}"`);
  return Number(text);
}
