import { runProcess } from './run-process';

/**
 * Runs the simulator (services/simulator/dist/main.js, the real program) to its end with `env` added;
 * resolves with its exit code and output. Stopped after `timeoutMs` (default 10 minutes).
 */
export function runSimulator(env: Record<string, string>, timeoutMs = 600_000): Promise<{ code: number | null; output: string }> {
  return runProcess('node', ['services/simulator/dist/main.js'], { env, timeoutMs });
}
