import { runCli } from '@rec/cli';

/** What one `rec` command did: its exit code and what it printed. */
export interface RecResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `rec <argv>` in-process with `environment` (a test's namespace), capturing what it prints. */
export async function runRec(environment: NodeJS.ProcessEnv, ...argv: string[]): Promise<RecResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), environment });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
