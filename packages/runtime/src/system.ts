import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Whether `file` exists and this process may execute it. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` in a directory of `searchPath` (the PATH by default), then the sbin and local dirs a minimal PATH lacks. */
export function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  for (const dir of ['/usr/sbin', '/usr/local/bin', '/usr/local/sbin']) if (isExecutable(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

export function findNatsServer(explicit?: string): string | undefined {
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  return findOnPath('nats-server');
}
