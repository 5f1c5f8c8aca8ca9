import * as path from 'node:path';

/** The repository root (tools/cli/dist -> ../../..), where README.md and services/ are. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
