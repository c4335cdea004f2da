import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserUser } from './browser-users.js';

/**
 * One browser's folders. `root` is `<sessionsRoot>/<sessionId>` (or `warm.<uuid>` for a warm
 * browser) and belongs to the node: only the node writes in it (the session marker), the browser
 * user can pass through it but not list or change it. Everything the browser writes is in the
 * subfolders, which belong to its user alone (0700).
 */
export interface BrowserFolders {
  readonly root: string;
  /** `--user-data-dir`. */
  readonly profile: string;
  /** Where every download of the session lands (the CDP guard forces download paths here). */
  readonly downloads: string;
  /** The only place `DOM.setFileInputFiles` may take files from. */
  readonly uploads: string;
  /** `$HOME` (and the XDG dirs): Crashpad, NSS and fontconfig write under it. */
  readonly home: string;
}

export function browserFolders(root: string): BrowserFolders {
  const sub = (name: string) => path.join(root, name);
  return { root, profile: sub('profile'), downloads: sub('downloads'), uploads: sub('uploads'), home: sub('home') };
}

/**
 * Makes the folders, owned by `user` when there is one (a root node), by the node's own user
 * otherwise. A leftover of a crashed run with the same name is removed first: nothing of another
 * browser is ever handed on.
 */
export function createBrowserFolders(root: string, user: BrowserUser | undefined): BrowserFolders {
  const folders = browserFolders(root);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { mode: 0o711 });
  // mkdir's mode is filtered by the umask; the modes are the point here.
  chmodSync(root, user ? 0o711 : 0o700);
  for (const dir of [folders.profile, folders.downloads, folders.uploads, folders.home]) {
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
    if (user) chownSync(dir, user.uid, user.gid);
  }
  seedDownloadFolder(folders, user);
  return folders;
}

/** The profile's `download` preferences: this session's folder, never one a restored profile names. */
export function downloadPreferences(folders: BrowserFolders) {
  return { default_directory: folders.downloads, prompt_for_download: false, directory_upgrade: true };
}

/**
 * Chromium's default download folder is `$HOME/Downloads`, and a client's
 * `Browser.setDownloadBehavior` lasts only while its CDP session stays attached (measured on
 * Chromium 156): the profile's own preference makes `downloads` the folder every other time.
 */
function seedDownloadFolder(folders: BrowserFolders, user: BrowserUser | undefined): void {
  const profileDefault = path.join(folders.profile, 'Default');
  mkdirSync(profileDefault, { mode: 0o700 });
  const preferences = path.join(profileDefault, 'Preferences');
  writeFileSync(preferences, JSON.stringify({ download: downloadPreferences(folders) }), { mode: 0o600 });
  if (user) {
    chownSync(profileDefault, user.uid, user.gid);
    chownSync(preferences, user.uid, user.gid);
  }
}

export async function removeBrowserFolders(folders: BrowserFolders): Promise<void> {
  await rm(folders.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/**
 * What a browser user left in the host's shared temp dirs (those its mount namespace does not
 * cover: jail.ts) goes with its lease, so the next browser of that uid finds none of it.
 */
export function removeFilesOfUid(uid: number, dirs = ['/tmp', '/var/tmp', '/dev/shm']): void {
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        if (statSync(file, { throwIfNoEntry: false })?.uid === uid) rmSync(file, { recursive: true, force: true });
      } catch {
        // Gone meanwhile, or not ours to remove.
      }
    }
  }
}

/**
 * The folder must be reachable by the browser users: every folder above it must let others pass
 * (the x bit). A node's data dir under a 0700 home (`/root/...`) is not, and every launch would
 * fail with EACCES inside Chromium; say which folder, once, at start.
 */
export function unreachableAncestor(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    try {
      if ((statSync(current).mode & 0o001) === 0) return current;
    } catch {
      // Not created yet: its parents decide.
    }
    if (parent === current) return undefined;
    current = parent;
  }
}
