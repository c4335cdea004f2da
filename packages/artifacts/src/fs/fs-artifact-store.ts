import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkArtifactKey, checkArtifactPrefix, type ArtifactBody, type ArtifactEntry, type ArtifactStore, type PutOptions, type StoredArtifact } from '../artifact-store.js';
import { MeasuredBody } from '../measured-body.js';

/** Where puts are written before they are renamed into place; never a valid key (it starts with a dot). */
const PARTIAL_DIR = '.partial';
/** A partial write older than this is a put that died with its process. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;

/**
 * Artifacts as files under one folder (`HANGAR_DATA_DIR/artifacts` for `npm start`): for one
 * host, where the node and the gateway share a disk. A put is written to `.partial/` and
 * renamed into place, so a reader never sees half a file and a crash leaves only a partial
 * file, which the next open sweeps. Keys map to paths as they are (checkArtifactKey lets
 * nothing through that leaves the root); the folder is 0700 to the service's user.
 */
export class FsArtifactStore implements ArtifactStore {
  readonly kind = 'fs';

  /** This store's own folder for writes in progress, under `.partial/`. */
  private readonly partials: string;

  private constructor(private readonly root: string) {
    this.partials = path.join(root, PARTIAL_DIR, randomUUID());
  }

  static async open(root: string): Promise<FsArtifactStore> {
    const absolute = path.resolve(root);
    // Only the store's own folder is 0700. Its parents keep the usual modes: a default root
    // (/var/lib/hangar) made 0700 here would lock the browser users and Postgres out of the
    // folders the node and the stack keep beside it (/var/lib/hangar/stacks, nodes).
    await mkdir(path.dirname(absolute), { recursive: true });
    await mkdir(absolute, { recursive: true, mode: 0o700 });
    await chmod(absolute, 0o700);
    // What a put killed half-way left is never visible under a key. Several processes open one
    // folder (npm start's services, at once): each writes in a folder of its own under .partial,
    // and an open removes only what is an hour old, never another process's put in flight (it
    // used to empty .partial, and two services starting together failed with EEXIST).
    const partialRoot = path.join(absolute, PARTIAL_DIR);
    await mkdir(partialRoot, { recursive: true, mode: 0o700 });
    await removeStalePartials(partialRoot);
    const store = new FsArtifactStore(absolute);
    await mkdir(store.partials, { recursive: true, mode: 0o700 });
    return store;
  }

  private file(key: string): string {
    return path.join(this.root, checkArtifactKey(key));
  }

  async put(key: string, body: ArtifactBody, options: PutOptions = {}): Promise<StoredArtifact> {
    const target = this.file(key);
    // Made again if another process's open took it for stale (this store sat idle for an hour).
    await mkdir(this.partials, { recursive: true, mode: 0o700 });
    const partial = path.join(this.partials, randomUUID());
    const measured = MeasuredBody.of(key, body, options.maxBytes);
    try {
      await pipeline(measured, createWriteStream(partial, { mode: 0o600, flags: 'wx' }));
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return { key, bytes: measured.bytes, sha256: measured.sha256() };
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(key));
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
  }

  async stream(key: string): Promise<Readable | undefined> {
    const file = this.file(key);
    try {
      if (!(await stat(file)).isFile()) return undefined;
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
    // 1 MiB reads: artifacts are large (a downloads zip, a recording) and go straight to a socket.
    return createReadStream(file, { highWaterMark: 1 << 20 });
  }

  async list(prefix: string): Promise<ArtifactEntry[]> {
    checkArtifactPrefix(prefix);
    // The deepest folder the prefix names in full; keys under it are filtered by the rest.
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash);
    const entries: ArtifactEntry[] = [];
    await this.walk(base, prefix, entries);
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async walk(relative: string, prefix: string, into: ArtifactEntry[]): Promise<void> {
    let names: import('node:fs').Dirent[];
    try {
      names = await readdir(path.join(this.root, relative), { withFileTypes: true });
    } catch (err) {
      if (missing(err)) return;
      throw err;
    }
    for (const entry of names) {
      if (relative === '' && entry.name === PARTIAL_DIR) continue;
      const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await this.walk(key, prefix, into);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        into.push({ key, bytes: (await stat(path.join(this.root, key))).size });
      }
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }
}

const missing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

async function removeStalePartials(partialRoot: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(partialRoot).catch(() => [])) {
    const entry = path.join(partialRoot, name);
    const info = await stat(entry).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_PARTIAL_MS) await rm(entry, { recursive: true, force: true });
  }
}
