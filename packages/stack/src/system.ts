import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  for (const dir of ['/usr/sbin', '/usr/local/bin', '/usr/local/sbin']) if (executable(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

/** `CHROME_PATH` when set (and it must then exist), else the usual install locations. */
export function findChromium(explicit?: string): string | undefined {
  if (explicit) return executable(explicit) ? explicit : undefined;
  return CHROMIUM_CANDIDATES.find(executable) ?? onPath('chromium');
}

export function findNatsServer(explicit?: string): string | undefined {
  if (explicit) return executable(explicit) ? explicit : undefined;
  return onPath('nats-server');
}
