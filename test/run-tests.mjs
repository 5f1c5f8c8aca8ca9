#!/usr/bin/env node
// Runs one kind of compiled test with `node --test` and exits with node's exit code.
//
//   node test/run-tests.mjs unit          shared/dist/**/*.test.js, services/*/dist/**/*.test.js, tools/*/dist/**/*.test.js (in parallel)
//   node test/run-tests.mjs integration   test/dist/integration/**/*.test.js (one file at a time)
//   node test/run-tests.mjs e2e           test/dist/e2e/**/*.test.js (one file at a time)
//
// Build first (npx tsc -b). A compiled test whose .ts source is gone (stale dist) is skipped, with a note.
// Extra arguments go to node, e.g. `--test-name-pattern=dlq`. Env: TEST_TIMEOUT_MS overrides the per-test timeout.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Per kind: where the compiled tests are, whether files run in parallel, and the timeout of one test. */
const KINDS = {
  unit: { roots: () => ['shared/dist', ...packageDists()], concurrency: null, timeoutMs: 60_000 },
  integration: { roots: () => ['test/dist/integration'], concurrency: 1, timeoutMs: 90_000 },
  e2e: { roots: () => ['test/dist/e2e'], concurrency: 1, timeoutMs: 480_000 },
};

/** The dist folder of every package under services/ and tools/. */
function packageDists() {
  return ['services', 'tools'].flatMap((parent) => {
    const folder = join(ROOT, parent);
    if (!existsSync(folder)) return [];
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}/dist`);
  });
}

/** Every *.test.js under `dir` (relative to the repo root), sorted, skipping node_modules. */
function findTests(dir) {
  const absolute = join(ROOT, dir);
  if (!existsSync(absolute)) return [];
  const found = [];
  for (const entry of readdirSync(absolute, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...findTests(path));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(path);
  }
  return found.sort();
}

/** The .ts a compiled test came from: <pkg>/dist/x/y.test.js -> <pkg>/src/x/y.test.ts. */
function sourceOf(file) {
  return file.replace(/(^|\/)dist\//, '$1src/').replace(/\.js$/, '.ts');
}

const [kind, ...nodeArgs] = process.argv.slice(2);
const spec = KINDS[kind];
if (spec === undefined) {
  console.error(`usage: node test/run-tests.mjs <${Object.keys(KINDS).join('|')}> [node --test options]`);
  process.exit(2);
}

const compiled = spec.roots().flatMap(findTests);
const stale = compiled.filter((file) => !existsSync(join(ROOT, sourceOf(file))));
const files = compiled.filter((file) => !stale.includes(file));
for (const file of stale) console.log(`run-tests: skipping ${file}: its source ${sourceOf(file)} is gone (stale build output)`);

if (files.length === 0) {
  console.log(`run-tests: no ${kind} tests found under ${spec.roots().join(', ') || '(nothing)'}${kind === 'e2e' ? '' : ' (did the build run?)'}`);
  process.exit(kind === 'unit' ? 1 : 0);
}

const timeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? spec.timeoutMs);
const args = [
  '--test',
  '--test-reporter=spec',
  `--test-timeout=${timeoutMs}`,
  ...(spec.concurrency === null ? [] : [`--test-concurrency=${spec.concurrency}`]),
  ...nodeArgs,
  ...files,
];
console.log(`run-tests: ${kind}: ${files.length} file${files.length === 1 ? '' : 's'}, timeout ${timeoutMs} ms per test${spec.concurrency === 1 ? ', one file at a time' : ''}`);
for (const file of files) console.log(`  ${relative(ROOT, join(ROOT, file))}`);

const started = Date.now();
const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
if (result.error) {
  console.error(`run-tests: could not start node: ${result.error.message}`);
  process.exit(1);
}
const code = result.status ?? 1;
console.log(`run-tests: ${kind} ${code === 0 ? 'passed' : `FAILED (exit ${code}${result.signal ? `, ${result.signal}` : ''})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);
