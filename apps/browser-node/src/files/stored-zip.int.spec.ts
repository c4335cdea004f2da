import { execFileSync } from 'node:child_process';
import { createReadStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { tempDir, unzip } from '@hangar/testing';
import { storedZip, type ZipEntry } from './stored-zip.js';

/*
 * The hand-written zip writer against three real readers: yauzl (what the tests use), Info-ZIP's
 * `unzip -t` and Python's zipfile, both of which check every entry's CRC-32, in the plain and in
 * the ZIP64 layout.
 */
const MTIME = new Date(2026, 10, 2, 13, 45, 30);

async function* from(list: ZipEntry[]): AsyncGenerator<ZipEntry> {
  yield* list;
}

function sample(folder: string): ZipEntry[] {
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 8)) & 0xff;
  const file = path.join(folder, 'big.bin');
  writeFileSync(file, big);
  return [
    { name: 'hello.txt', size: 5, mtime: MTIME, mode: 0o100644, data: [Buffer.from('hello')] },
    { name: 'empty', size: 0, mtime: MTIME, mode: 0o100644, data: [] },
    { name: 'ünïcødé – 名前.txt', size: 3, mtime: MTIME, mode: 0o100600, data: [Buffer.from('abc')] },
    { name: 'big.bin', size: big.length, mtime: MTIME, mode: 0o100644, data: createReadStream(file, { highWaterMark: 1 << 20 }) },
  ];
}

/** What Python's zipfile makes of it: CRCs checked, names, sizes, modes, dates. */
function pythonView(zipFile: string): { bad: string | null; entries: Array<[string, number, number, number[]]> } {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'print(json.dumps({"bad": z.testzip(), "entries": [[i.filename, i.file_size, i.external_attr >> 16, list(i.date_time)] for i in z.infolist()]}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, zipFile], { encoding: 'utf8' })) as ReturnType<typeof pythonView>;
}

describe.each([
  ['plain', false],
  ['ZIP64', true],
])('stored zip (%s)', (_, forceZip64) => {
  it('is read whole, with checked CRCs, by yauzl, unzip and Python', async () => {
    const folder = tempDir('hangar-stored-zip-');
    const zip = await buffer(storedZip(from(sample(folder)), { forceZip64 }));
    const zipFile = path.join(folder, 'out.zip');
    writeFileSync(zipFile, zip);

    const entries = await unzip(zip);
    expect([...entries.keys()]).toEqual(['hello.txt', 'empty', 'ünïcødé – 名前.txt', 'big.bin']);
    expect(entries.get('hello.txt')!.toString()).toBe('hello');
    expect(entries.get('big.bin')!.length).toBe(3 * 1024 * 1024 + 17);

    expect(execFileSync('unzip', ['-t', zipFile], { encoding: 'utf8' })).toContain('No errors detected');

    const py = pythonView(zipFile);
    expect(py.bad).toBeNull();
    expect(py.entries.map(([name, size, mode]) => [name, size, mode])).toEqual([
      ['hello.txt', 5, 0o100644],
      ['empty', 0, 0o100644],
      ['ünïcødé – 名前.txt', 3, 0o100600],
      ['big.bin', 3 * 1024 * 1024 + 17, 0o100644],
    ]);
    expect(py.entries[0]![3]).toEqual([2026, 11, 2, 13, 45, 30]);
  });
});

it('no entries is the 22-byte empty zip', async () => {
  const zip = await buffer(storedZip(from([])));
  expect(zip.length).toBe(22);
  expect((await unzip(zip)).size).toBe(0);
});

it('fails the zip when an entry yields other than its size (a file that changed while read)', async () => {
  const short = storedZip(from([{ name: 'a', size: 10, mtime: MTIME, mode: 0o100644, data: [Buffer.from('abc')] }]));
  await expect(buffer(short)).rejects.toThrow(/expected 10 bytes, read 3/);
  const long = storedZip(from([{ name: 'a', size: 2, mtime: MTIME, mode: 0o100644, data: [Buffer.from('abc')] }]));
  await expect(buffer(long)).rejects.toThrow(/expected 2 bytes/);
});

it('a reader that goes away closes the file being read and opens no other', async () => {
  const folder = tempDir('hangar-stored-zip-');
  const [, , , big] = sample(folder);
  const streams = [big!.data as Readable];
  let asked = 0;
  async function* entries(): AsyncGenerator<ZipEntry> {
    asked++;
    yield big!;
    asked++;
    const next = createReadStream(path.join(folder, 'big.bin'));
    streams.push(next);
    yield { ...big!, name: 'second', data: next };
  }
  const zip = storedZip(entries());
  await new Promise<void>((resolve) => zip.once('data', () => resolve()));
  zip.destroy();
  await new Promise((r) => setTimeout(r, 100));
  expect(asked).toBe(1);
  expect(streams).toHaveLength(1);
  expect(streams[0]!.destroyed).toBe(true);
});
