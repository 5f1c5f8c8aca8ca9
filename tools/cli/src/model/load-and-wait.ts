import { ModelControl, type LoadResult, type LoadSource } from '@rec/shared';
import type { Connections } from '../connections';

/**
 * Asks the parameter server to load weights as a new version and waits for its answer (it looks every
 * PS_CONTROL_POLL_MS). Rejects after `timeoutMs` with what to check.
 */
export async function loadAndWait(connections: Connections, source: LoadSource, timeoutMs: number): Promise<LoadResult> {
  const control = new ModelControl(connections.redis, connections.keys, connections.config.modelId);
  const id = await control.requestLoad(source);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await control.loadResult(id);
    if (result !== null) return result;
    if (Date.now() >= deadline) {
      throw new Error(`no answer from the parameter server of model ${connections.config.modelId} within ${timeoutMs} ms: is it running with this REDIS_URL and REDIS_KEY_PREFIX? (the request stays until it is taken)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
