import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Debian's real Chromium binary first: /usr/bin/chromium is a shell wrapper that
 * runs grep, findmnt and ls and sources /etc/chromium.d on every launch (tens of ms of CPU, and
 * switches of its own: remote extensions, GPU rasterization); the browser-node passes every
 * switch a session needs itself.
 */
const CHROMIUM_CANDIDATES = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  for (const dir of ['/usr/sbin', '/usr/local/bin', '/usr/local/sbin']) if (executable(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

/**
 * `CHROME_PATH` when set (and it must then exist), else the usual install locations, then
 * `chromium` on the PATH. Shared by the browser-node and the local stack.
 */
export function findChromium(explicit?: string, searchPath?: string): string | undefined {
  if (explicit) return executable(explicit) ? explicit : undefined;
  return CHROMIUM_CANDIDATES.find(executable) ?? onPath('chromium', searchPath);
}

export function findNatsServer(explicit?: string): string | undefined {
  if (explicit) return executable(explicit) ? explicit : undefined;
  return onPath('nats-server');
}
