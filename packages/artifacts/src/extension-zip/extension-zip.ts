import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import {
  extensionEntryProblem,
  extensionRoot,
  isFolderEntry,
  MAX_MANIFEST_BYTES,
  parseExtensionManifest,
  type ExtensionManifest,
  type ExtensionZipLimits,
} from '@hangar/domain';

/** Where the walk puts what it inflates: nothing (the gateway's check), or a folder (the node's unpack). */
export interface ExtensionZipSink {
  folder(name: string): Promise<void>;
  /** Called once per file, in zip order, with its bytes as inflated; resolves when written. */
  file(name: string, chunks: AsyncIterable<Buffer>): Promise<void>;
}

export type ExtensionZipCheck =
  | { ok: true; root: string; manifest: ExtensionManifest; entries: number; unpackedBytes: number }
  | { ok: false; problem: string };

class Refused extends Error {}

/**
 * Walks a zip of an unpacked extension on disk and decides whether it is one (domain
 * extension.rules.ts), inflating every file to count the bytes it really expands to: a bomb is
 * refused on its declared sizes before any inflating, and on the inflated bytes as soon as they
 * pass the cap, whatever it declared. Names are read raw (yauzl's decodeStrings off), so no
 * library's rewriting (backslashes to "/") hides a name from the rules. With a sink, each entry
 * is handed over only after its name passed the rules; the caller throws away the sink's work
 * when the answer is not ok.
 */
export async function checkExtensionZip(file: string, limits: ExtensionZipLimits, sink?: ExtensionZipSink): Promise<ExtensionZipCheck> {
  let zip: ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    return { ok: false, problem: `file is not a zip archive (${(err as Error).message})` };
  }
  try {
    if (zip.entryCount > limits.maxEntries) throw new Refused(`the zip has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`);
    const names: string[] = [];
    const manifests = new Map<string, string>();
    let declared = 0;
    let inflated = 0;
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      const name = (entry.fileName as unknown as Buffer).toString('utf8');
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const problem = extensionEntryProblem(name, mode);
      if (problem) throw new Refused(problem);
      if (names.includes(name)) throw new Refused(`entry ${JSON.stringify(name.slice(0, 120))} is in the zip twice`);
      names.push(name);
      if (names.length > limits.maxEntries) throw new Refused(`the zip has more than ${limits.maxEntries} entries`);
      if (isFolderEntry(name, mode)) {
        await sink?.folder(name.replace(/\/$/, ''));
        continue;
      }
      declared += entry.uncompressedSize;
      if (declared > limits.maxUnpackedBytes) throw new Refused(`the zip expands to more than ${limits.maxUnpackedBytes} bytes (declared sizes)`);
      const isManifest = name === 'manifest.json' || /^[^/]+\/manifest\.json$/.test(name);
      const collected: Buffer[] = [];
      let collectedBytes = 0;
      const stream = await openEntry(zip, entry);
      async function* counted(): AsyncGenerator<Buffer> {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          inflated += chunk.length;
          if (inflated > limits.maxUnpackedBytes) throw new Refused(`the zip expands to more than ${limits.maxUnpackedBytes} bytes (inflated)`);
          if (isManifest) {
            collectedBytes += chunk.length;
            if (collectedBytes > MAX_MANIFEST_BYTES) throw new Refused(`${name} is larger than ${MAX_MANIFEST_BYTES} bytes`);
            collected.push(chunk);
          }
          yield chunk;
        }
      }
      try {
        if (sink) await sink.file(name, counted());
        else for await (const chunk of counted()) void chunk;
      } catch (err) {
        stream.destroy();
        if (err instanceof Refused) throw err;
        // yauzl's own findings (a size that lies, a bad CRC, a broken deflate stream).
        throw new Refused(`entry ${JSON.stringify(name.slice(0, 120))} is corrupt (${(err as Error).message})`);
      }
      if (isManifest) manifests.set(name, Buffer.concat(collected).toString('utf8'));
    }
    const where = extensionRoot(names);
    if ('problem' in where) throw new Refused(where.problem);
    const manifest = parseExtensionManifest(manifests.get(`${where.root}manifest.json`) ?? '');
    if ('problem' in manifest) throw new Refused(manifest.problem);
    return { ok: true, root: where.root, manifest: manifest.manifest, entries: names.length, unpackedBytes: inflated };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, problem: err.message };
    return { ok: false, problem: `file is not a valid zip archive (${(err as Error).message})` };
  } finally {
    zip.close();
  }
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) => (err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip))),
  );
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => (cleanup(), resolve(entry));
    const onEnd = () => (cleanup(), resolve(undefined));
    const onError = (err: Error) => (cleanup(), reject(err));
    zip.on('entry', onEntry);
    zip.once('end', onEnd);
    zip.once('error', onError);
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream))));
}
