import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** The repository root (commands such as infra/bin/demo run from there). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Runs a command to its end from the repository root, with `env` over this process's environment; stops
 * it with SIGTERM after `timeoutMs`. Resolves with its exit code (null when killed) and its stdout and
 * stderr interleaved.
 */
export function runProcess(command: string, args: string[], options: { env?: Record<string, string>; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
