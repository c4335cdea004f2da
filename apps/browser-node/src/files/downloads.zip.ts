import { constants, createReadStream, type Stats } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ZipFile } from 'yazl';

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
 * mostly compressed already, and a 100 MB file then zips at disk speed).
 *
 * Fencing: the folder belongs to the browser's OS user, and the node reading it is root, so
 * whatever is in it is hostile. Only the folder's own entries are read, never a subfolder (the
 * browser user could swap a subfolder for a symlink between our check and our open; the folder
 * itself sits in the node's own 0711 root, so it cannot be swapped). An entry is taken only when
 * lstat says regular file, it opens with O_NOFOLLOW|O_NONBLOCK (a symlink or a FIFO swapped in
 * meanwhile neither is followed nor blocks), and fstat on the open file says the same file: one
 * link (a hard link to a host file is not a download), owned by the browser user. At most the
 * size seen is read, so a file that grows meanwhile cannot pass the cap.
 */
export function zipDownloads(folder: string, options: DownloadsZipOptions): Readable {
  const zip = new ZipFile();
  const out = new PassThrough();
  zip.outputStream.pipe(out);
  zip.on('error', (err: Error) => out.destroy(err));
  // A reader that goes away (a client disconnecting) must not leave an open file waiting for it.
  const gone = new AbortController();
  out.once('close', () => gone.abort());
  fill(zip, folder, options, gone.signal).then(
    () => zip.end(),
    (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return out;
}

async function fill(zip: ZipFile, folder: string, options: DownloadsZipOptions, gone: AbortSignal): Promise<void> {
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
    if (gone.aborted) return;
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
    await addEntry(zip, zipEntryName(name), candidate, gone);
  }
  if (left.length) {
    const shown = left.slice(0, 100).join('\n');
    const more = left.length > 100 ? `\n… and ${left.length - 100} more` : '';
    const note = `The session's downloads are larger than this Hangar keeps (HANGAR_DOWNLOADS_MAX_BYTES: ${options.maxBytes} bytes, at most ${MAX_DOWNLOAD_ENTRIES} files).\nLeft out (${left.length}):\n${shown}${more}\n`;
    zip.addBuffer(Buffer.from(note), TRUNCATION_NOTE, { compress: false });
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

/** Adds one open file and waits until the zip has read it, so one descriptor is open at a time. */
async function addEntry(zip: ZipFile, name: string, { handle, stats }: OpenDownload, gone: AbortSignal): Promise<void> {
  const options = { compress: false, mtime: stats.mtime, mode: 0o100644 };
  if (stats.size === 0) {
    await handle.close();
    zip.addBuffer(Buffer.alloc(0), name, options);
    return;
  }
  const stream = createReadStream('', { fd: handle, start: 0, end: stats.size - 1, autoClose: true });
  const done = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  const abort = () => stream.destroy();
  gone.addEventListener('abort', abort, { once: true });
  zip.addReadStream(stream, name, options);
  await done;
  gone.removeEventListener('abort', abort);
}

/** yazl refuses a backslash and zip readers choke on control characters: those become `_`. */
export function zipEntryName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\\\u0000-\u001f\u007f]/g, '_');
  return clean === '.' || clean === '..' || clean === '' ? '_' : clean;
}
