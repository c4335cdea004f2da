import { constants, createReadStream, type Stats } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { storedZip, type ZipEntry } from './stored-zip.js';

/** A note entry in place of what the cap left out. */
export const TRUNCATION_NOTE = 'HANGAR-DOWNLOADS-TRUNCATED.txt';
/** Most files one zip holds: each entry costs a header, and a page can make millions of tiny files. */
export const MAX_DOWNLOAD_ENTRIES = 10_000;
/** Room over `maxBytes` for the zip's own headers (names ≤ 255 bytes, ≤ MAX_DOWNLOAD_ENTRIES entries). */
export const ZIP_OVERHEAD_BYTES = 16 * 1024 * 1024;

export interface DownloadsZipOptions {
  /** Bytes of file content the zip may hold (HANGAR_DOWNLOADS_MAX_BYTES). */
  readonly maxBytes: number;
  /** The browser's OS user: a file another user owns was not downloaded by this browser. */
  readonly uid?: number;
}

/**
 * The session's downloads folder as a zip, streamed: entries stored, not deflated (downloads are
 * mostly compressed already, and a 100 MB file then zips at disk speed; stored-zip.ts).
 *
 * Fencing: the folder belongs to the browser's OS user, and the node reading it is root, so
 * whatever is in it is hostile. Only the folder's own entries are read, never a subfolder (the
 * browser user could swap a subfolder for a symlink between our check and our open; the folder
 * itself sits in the node's own 0711 root, so it cannot be swapped). An entry is taken only when
 * lstat says regular file, it opens with O_NOFOLLOW|O_NONBLOCK (a symlink or a FIFO swapped in
 * meanwhile neither is followed nor blocks), and fstat on the open file says the same file: one
 * link (a hard link to a host file is not a download), owned by the browser user. At most the
 * size seen is read, so a file that grows meanwhile cannot pass the cap. Files are opened one at
 * a time, as the reader gets to them; a reader that goes away closes the open one.
 */
export function zipDownloads(folder: string, options: DownloadsZipOptions): Readable {
  return storedZip(entries(folder, options));
}

async function* entries(folder: string, options: DownloadsZipOptions): AsyncGenerator<ZipEntry> {
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch {
    return; // No folder (never made, or gone with the session): an empty zip.
  }
  let total = 0;
  let count = 0;
  const left: string[] = [];
  for (const name of names) {
    if (name.endsWith('.crdownload')) continue; // Chromium's partial downloads.
    const candidate = await openDownload(path.join(folder, name), options.uid);
    if (!candidate) continue;
    if (left.length || count >= MAX_DOWNLOAD_ENTRIES || total + candidate.stats.size > options.maxBytes) {
      left.push(name);
      await candidate.handle.close();
      continue;
    }
    total += candidate.stats.size;
    count++;
    yield entryOf(zipEntryName(name), candidate);
  }
  if (left.length) {
    const shown = left.slice(0, 100).join('\n');
    const more = left.length > 100 ? `\n… and ${left.length - 100} more` : '';
    const note = Buffer.from(`The session's downloads are larger than this Hangar keeps (HANGAR_DOWNLOADS_MAX_BYTES: ${options.maxBytes} bytes, at most ${MAX_DOWNLOAD_ENTRIES} files).\nLeft out (${left.length}):\n${shown}${more}\n`);
    yield { name: TRUNCATION_NOTE, size: note.length, mtime: new Date(), mode: 0o100644, data: [note] };
  }
}

interface OpenDownload {
  handle: FileHandle;
  stats: Stats;
}

async function openDownload(file: string, uid: number | undefined): Promise<OpenDownload | undefined> {
  const seen = await lstat(file).catch(() => undefined);
  if (!seen?.isFile() || !isOwnDownload(seen, uid)) return undefined;
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
  if (!handle) return undefined;
  const stats = await handle.stat().catch(() => undefined);
  if (stats?.isFile() && stats.ino === seen.ino && stats.dev === seen.dev && isOwnDownload(stats, uid)) return { handle, stats };
  await handle.close();
  return undefined;
}

function isOwnDownload(stats: Stats, uid: number | undefined): boolean {
  return stats.nlink === 1 && (uid === undefined || stats.uid === uid);
}

/** One open file as an entry: read in 1 MiB chunks (fewer, larger writes down the pipe), at most the size seen. */
function entryOf(name: string, { handle, stats }: OpenDownload): ZipEntry {
  const entry = { name, size: stats.size, mtime: stats.mtime, mode: 0o100644 };
  if (stats.size === 0) {
    void handle.close();
    return { ...entry, data: [] };
  }
  return { ...entry, data: createReadStream('', { fd: handle, start: 0, end: stats.size - 1, autoClose: true, highWaterMark: 1 << 20 }) };
}

/** Zip readers take a backslash for a separator and choke on control characters: those become `_`. */
export function zipEntryName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\\\u0000-\u001f\u007f]/g, '_');
  return clean === '.' || clean === '..' || clean === '' ? '_' : clean;
}
