import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A warm browser's folder is `<profilesRoot>/warm.<uuid>` (its profile is the `profile` folder in it,
 * and the marker below sits next to it, in the part of the folder only the node may write). The dot keeps warm dirs apart from
 * session dirs for good: a session id is a subject token (letters, digits, `-`, `_`), so no session
 * can be named like a warm dir, and the orphan sweep never mistakes one for the other.
 */
const WARM_PREFIX = 'warm.';

/**
 * Which session a handed-out warm browser serves. The dir keeps its warm name for the browser's
 * whole life, and this file inside it names the session. Renaming the dir to `<sessionId>` instead
 * does not work: Chromium opens many profile files lazily by their full path, and after a rename
 * it recreated `warm.<uuid>/Default/{Cache,IndexedDB,WebStorage,…}` as soon as a page used storage
 * (Chromium 156, checked by hand), splitting the session's profile across two dirs. Chromium leaves
 * files it does not know alone, and `--user-data-dir=<profilesRoot>/` in the command line still
 * finds the process, so teardown and the sweep need nothing else.
 */
const SESSION_MARKER = 'hangar-session';

export const warmProfileDir = (profilesRoot: string) => path.join(profilesRoot, `${WARM_PREFIX}${randomUUID()}`);

export const isWarmProfile = (dirName: string) => dirName.startsWith(WARM_PREFIX);

/** Written before SessionStarted is appended, so a crash after it still ends the session at the next start. */
/** Synchronous: a few bytes, on the create path, where a trip through libuv's pool costs more. */
export const markSession = async (folder: string, sessionId: string) => writeFileSync(path.join(folder, SESSION_MARKER), sessionId);

/** The session a warm profile was handed to; undefined while it was still idle. */
export async function markedSession(folder: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(folder, SESSION_MARKER), 'utf8')).trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
