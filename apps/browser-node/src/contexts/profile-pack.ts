import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { profileEntryLate, profileFileKept, profileFolderLeadsLate, profileFolderWalked, type ProfileRules } from '@hangar/domain';
import tar from 'tar-stream';

export class ProfileTooLarge extends Error {}

export interface PackedProfile {
  files: number;
  bytes: number;
}

/**
 * Writes the kept part of a user-data-dir (domain profile.rules.ts) to `out` as a tar.
 *
 * The fence: the profile was written by a tenant's browser, and the node reads it as root. Only
 * regular files with one link and folders are taken, each opened with O_NOFOLLOW, never through
 * a symlink (a symlink or hard link planted to a host file is skipped, not followed), and, where
 * the browser ran as a user of its own, only files that user owns. It runs after the browser's
 * whole process group is gone and before its user goes back to the pool, so nothing can change
 * the folder while it is read. Past `maxFiles` or `maxBytes` it stops: no save is made.
 *
 * Order: the stores Chromium opens only when a page asks (domain `profileEntryLate`) come after
 * everything else, so a restore can start the browser once it has read the rest.
 */
export async function packProfile(profileDir: string, out: Writable, rules: ProfileRules, uid: number | undefined): Promise<PackedProfile> {
  const pack = tar.pack();
  const done = pipeline(pack, out);
  const totals: PackedProfile = { files: 0, bytes: 0 };
  try {
    await walk(profileDir, '', pack, rules, uid, totals, 'early');
    await walk(profileDir, '', pack, rules, uid, totals, 'late');
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  await done;
  return totals;
}

const owned = (st: Stats, uid: number | undefined) => uid === undefined || st.uid === uid;

type Part = 'early' | 'late';

async function walk(root: string, rel: string, pack: tar.Pack, rules: ProfileRules, uid: number | undefined, totals: PackedProfile, part: Part): Promise<void> {
  const dir = rel ? path.join(root, rel) : root;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    const full = path.join(root, child);
    const st = await lstat(full).catch(() => undefined);
    if (!st || !owned(st, uid)) continue;
    const late = profileEntryLate(st.isDirectory() ? `${child}/` : child);
    if (st.isDirectory()) {
      if (!profileFolderWalked(child, rules) || (part === 'early' ? late : !profileFolderLeadsLate(child))) continue;
      // The late part's folders on the way to a late store were written by the early part.
      if (part === 'early' || late) await addEntry(pack, { name: `${child}/`, type: 'directory', mode: 0o700, mtime: st.mtime });
      await walk(root, child, pack, rules, uid, totals, part);
    } else if (late === (part === 'late') && st.isFile() && st.nlink === 1 && profileFileKept(child, rules)) {
      if (++totals.files > rules.maxFiles) throw new ProfileTooLarge(`the profile has more than ${rules.maxFiles} files`);
      await addFile(pack, full, child, uid, rules, totals);
    }
  }
}

async function addFile(pack: tar.Pack, full: string, name: string, uid: number | undefined, rules: ProfileRules, totals: PackedProfile): Promise<void> {
  let handle;
  try {
    handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return; // gone, or swapped for a symlink since the lstat: skipped
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.nlink !== 1 || !owned(st, uid)) return;
    totals.bytes += st.size;
    if (totals.bytes > rules.maxBytes) throw new ProfileTooLarge(`the profile is larger than ${rules.maxBytes} bytes`);
    const header = { name, size: st.size, mode: 0o600, mtime: st.mtime, type: 'file' as const };
    if (st.size === 0) return await new Promise<void>((resolve, reject) => pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
    await pipeline(handle.createReadStream({ start: 0, end: st.size - 1, autoClose: false }), pack.entry(header));
  } finally {
    await handle.close();
  }
}

function addEntry(pack: tar.Pack, header: Parameters<tar.Pack['entry']>[0]): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}
