import { constants } from 'node:fs';
import { chown, lchown, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { profileEntryLate, profileEntryProblem, type ProfileRules } from '@hangar/domain';
import tar from 'tar-stream';
import { downloadPreferences, type BrowserFolders } from '../isolation/browser-folders.js';
import type { BrowserUser } from '../isolation/browser-users.js';
import type { ProfileOpener } from './profile-cipher.js';

export class ProfileUnusable extends Error {}

const WRITE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Unpacks a saved profile (`sealed`, through `open`: profile-cipher.ts) into the fresh profile folder
 * of a browser that has not started, owned by its user, folders 0700 and files 0600.
 *
 * The fence, again at this end: each entry must pass the domain's rules (a relative path, no
 * "..", only a regular file or a folder, only what a save keeps) and fit the caps; every file is
 * created new (O_EXCL|O_NOFOLLOW), never through or over anything, and a final check keeps
 * every path inside the profile folder. Anything wrong (including a seal that fails at the end)
 * removes all of it and fails the launch: a browser starts from the whole profile or not at all.
 * The download preferences are this session's afterwards, whatever the saved ones said.
 *
 * `early` is called once everything but the late stores (domain `profileEntryLate`: those
 * Chromium opens only when a page asks) is written, authenticated (a v2 seal, chunk by chunk)
 * and the preferences are this session's: the browser may start then, while the late stores
 * are written; a save puts them last. For a v1 seal (authenticated only at its end) it comes at
 * the end. From then on the order is checked (an early entry after a late one is refused), and a
 * failure no longer empties the profile: the caller tears down the browser and all its folders.
 */
export async function restoreProfile(
  sealed: Readable,
  opener: ProfileOpener,
  folders: BrowserFolders,
  user: BrowserUser | undefined,
  rules: ProfileRules,
  early?: () => void,
): Promise<{ files: number; bytes: number }> {
  const root = folders.profile;
  const preferences = path.join(root, 'Default', 'Preferences');
  // The seed the folders came with (browser-folders.ts) gives way to the saved one; rewritten below.
  await rm(preferences, { force: true });
  const extract = tar.extract();
  const totals = { files: 0, bytes: 0 };
  let started = false;
  const start = async () => {
    await writePreferences(preferences, folders, user);
    started = true;
    early?.();
  };
  const unpacking = (async () => {
    for await (const entry of extract) {
      const { header } = entry;
      const type = header.type === 'file' ? 'file' : header.type === 'directory' ? 'directory' : 'other';
      const problem = profileEntryProblem(header.name, type, rules);
      if (problem) throw new ProfileUnusable(problem);
      const late = profileEntryLate(header.name);
      if (started && !late) throw new ProfileUnusable(`entry ${JSON.stringify(header.name.slice(0, 120))} comes after the stores restored while the browser starts`);
      if (late && !started && opener.verified) await start();
      const target = inside(root, header.name);
      if (type === 'directory') {
        await makeFolders(root, target, user);
        entry.resume();
        continue;
      }
      totals.bytes += header.size ?? 0;
      if (++totals.files > rules.maxFiles || totals.bytes > rules.maxBytes) throw new ProfileUnusable(`the profile is past this node's caps (${rules.maxFiles} files, ${rules.maxBytes} bytes)`);
      await makeFolders(root, path.dirname(target), user);
      const handle = await open(target, WRITE_NEW, 0o600);
      await pipeline(entry, handle.createWriteStream());
      if (user) await lchown(target, user.uid, user.gid);
    }
  })();
  try {
    await Promise.all([pipeline(sealed, opener, extract), unpacking]);
    if (!started) await start();
  } catch (err) {
    extract.destroy();
    await unpacking.catch(() => undefined);
    if (!started) await emptyProfile(folders, user);
    throw err instanceof ProfileUnusable ? err : new ProfileUnusable(`the saved profile could not be restored: ${(err as Error).message}`);
  }
  return totals;
}

/** Back to the fresh profile the folders came with: nothing of a failed restore is left. */
async function emptyProfile(folders: BrowserFolders, user: BrowserUser | undefined): Promise<void> {
  await rm(folders.profile, { recursive: true, force: true });
  await mkdir(path.join(folders.profile, 'Default'), { recursive: true, mode: 0o700 });
  if (user) {
    await chown(folders.profile, user.uid, user.gid);
    await chown(path.join(folders.profile, 'Default'), user.uid, user.gid);
  }
  await writePreferences(path.join(folders.profile, 'Default', 'Preferences'), folders, user);
}

/** The saved preferences with this session's download folder, and no folder a previous session picked. */
export async function writePreferences(file: string, folders: BrowserFolders, user: BrowserUser | undefined): Promise<void> {
  let prefs: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) prefs = parsed as Record<string, unknown>;
  } catch {
    // none saved, or not JSON: the seed's alone
  }
  delete prefs.savefile;
  delete prefs.selectfile;
  const download = typeof prefs.download === 'object' && prefs.download !== null ? (prefs.download as Record<string, unknown>) : {};
  prefs.download = { ...download, ...downloadPreferences(folders) };
  // "Continue where you left off": the one setting under which Chromium writes session cookies
  // (no expiry) to its cookie store and reads them back, as a context's user expects of a login.
  // Tabs are not reopened: a save does not keep Default/Sessions.
  const session = typeof prefs.session === 'object' && prefs.session !== null ? (prefs.session as Record<string, unknown>) : {};
  prefs.session = { ...session, restore_on_startup: 1 };
  const temp = `${file}.hangar-${process.pid}`;
  await writeFile(temp, JSON.stringify(prefs), { mode: 0o600, flag: 'wx' });
  if (user) await lchown(temp, user.uid, user.gid);
  await rename(temp, file);
}

async function makeFolders(root: string, dir: string, user: BrowserUser | undefined): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!first || !user) return;
  // Every folder mkdir made, from the first one down, goes to the browser's user.
  for (let d = dir; d.length >= first.length && d.startsWith(root); d = path.dirname(d)) await lchown(d, user.uid, user.gid);
}

/** `name` passed the domain's rules; this is the last word that it stays under `root`. */
function inside(root: string, name: string): string {
  const resolved = path.resolve(root, name);
  if (!resolved.startsWith(`${root}${path.sep}`)) throw new ProfileUnusable(`entry ${JSON.stringify(name)} escapes the profile folder`);
  return resolved;
}
