import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `explicit` (CHROME_PATH) when set, and then it must exist; else the usual install locations,
 * then `chromium` on PATH. Same search as `findChromium` in @hangar/stack, kept here so a node's
 * image does not carry the local-stack package (embedded Postgres and all) just for this.
 */
export function locateChromium(explicit: string | undefined, searchPath: string): string | undefined {
  if (explicit) return executable(explicit) ? explicit : undefined;
  const found = CANDIDATES.find(executable);
  if (found) return found;
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir && executable(path.join(dir, 'chromium'))) return path.join(dir, 'chromium');
  }
  return undefined;
}
