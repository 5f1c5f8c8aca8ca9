#!/usr/bin/env node
// The `rec` command (npx rec <command> --help). Build first: npm run build.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(main)) {
  console.error('rec: not built yet; run `npm run build` (tsc -b) at the repository root first');
  process.exit(2);
}
require(main).runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`rec: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
