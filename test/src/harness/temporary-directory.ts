import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Anything that runs a function once the current test or suite is over (node:test's `t.after` or `after`). */
type AfterHook = (run: () => void) => void;

/**
 * A fresh directory under the system's temporary folder, removed when the test (or suite) ends, passed
 * or failed: a failing assertion must not leave reports and logs behind in /tmp run after run.
 * node:test runs an `after` hook registered from inside a `before` hook ahead of the suite's own `after`
 * hooks, so a folder that something stopped there still writes into (a browser's profile) must be removed
 * by that hook itself, after the stop (as the status-page test does).
 */
export function temporaryDirectory(after: AfterHook, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
