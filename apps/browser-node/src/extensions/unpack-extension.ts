import { constants } from 'node:fs';
import { chmod, chown, lchown, mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { checkExtensionZip, type ArtifactStore } from '@hangar/artifacts';
import { DEFAULT_EXTENSION_LIMITS, extensionArtifactKey, type ExtensionZipLimits } from '@hangar/domain';
import type { BrowserUser } from '../isolation/browser-users.js';

export class ExtensionUnavailable extends Error {}

export interface UnpackRequest {
  readonly artifacts: ArtifactStore;
  /** The session's project, from its SessionRequested: the key is under it, so no other project's zip is ever fetched. */
  readonly projectId: string;
  readonly extensionId: string;
  /** The session's folder (node-owned, 0711): the zip is spooled and unpacked inside it. */
  readonly sessionRoot: string;
  readonly user: BrowserUser | undefined;
  readonly limits?: ExtensionZipLimits;
}

const WRITE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Fetches the session's extension from the artifact store and unpacks it into
 * `<session>/extension`, answering the folder holding manifest.json (for `--load-extension`).
 *
 * The fence: the zip was checked at upload, and is checked again here, entry by entry, by the
 * same rules (checkExtensionZip): a name that escapes, a symlink, too many entries or too many
 * inflated bytes stop the unpack and remove all of it. Only regular files and folders are made,
 * each file opened O_CREAT|O_EXCL|O_NOFOLLOW (never through or over anything already there), in
 * a folder made fresh for this launch inside the session's own folder, while the browser has not
 * started. Once whole, everything is handed to the session's browser user, folders 0700 and files
 * 0600: no other browser user on the node can read it, and it holds only the bytes of this
 * tenant's own upload (the key is built from the session's project, never from anything a client
 * named). Per session, not cached across sessions: a cache shared by tenants would have to be
 * readable by all their users; this costs one unpack per launch (milliseconds for a few MiB).
 */
export async function unpackExtension(req: UnpackRequest): Promise<string> {
  const key = extensionArtifactKey(req.projectId, req.extensionId);
  const body = await req.artifacts.stream(key);
  if (!body) throw new ExtensionUnavailable(`extension ${req.extensionId} is not in the artifact store (deleted?)`);
  const zipFile = path.join(req.sessionRoot, 'extension.zip');
  const target = path.join(req.sessionRoot, 'extension');
  try {
    await pipeline(body, await createNew(zipFile));
    await mkdir(target, { mode: 0o700 });
    const checked = await checkExtensionZip(zipFile, req.limits ?? DEFAULT_EXTENSION_LIMITS, {
      folder: async (name) => void (await mkdir(inside(target, name), { recursive: true, mode: 0o700 })),
      file: async (name, chunks) => {
        const file = inside(target, name);
        await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        await pipeline(chunks, await createNew(file));
      },
    });
    if (!checked.ok) throw new ExtensionUnavailable(`extension ${req.extensionId} cannot be unpacked: ${checked.problem}`);
    await handOver(target, req.user);
    return path.join(target, checked.root);
  } catch (err) {
    await rm(target, { recursive: true, force: true });
    throw err instanceof ExtensionUnavailable ? err : new ExtensionUnavailable(`extension ${req.extensionId} could not be unpacked: ${(err as Error).message}`);
  } finally {
    await rm(zipFile, { force: true });
  }
}

async function createNew(file: string) {
  const handle = await open(file, WRITE_NEW, 0o600);
  return handle.createWriteStream();
}

/** `name` passed the domain's rules already; this is the last word that it stays under `root`. */
function inside(root: string, name: string): string {
  const resolved = path.resolve(root, name);
  if (!resolved.startsWith(`${root}${path.sep}`)) throw new ExtensionUnavailable(`entry ${JSON.stringify(name)} escapes the extension folder`);
  return resolved;
}

/** Everything to the browser's user, folders 0700 and files 0600 (no symlink exists: none was made). */
async function handOver(dir: string, user: BrowserUser | undefined): Promise<void> {
  await chmod(dir, 0o700);
  if (user) await chown(dir, user.uid, user.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await handOver(full, user);
    else if (entry.isFile()) {
      await chmod(full, 0o600);
      if (user) await lchown(full, user.uid, user.gid);
    } else await rm(full, { force: true });
  }
}
