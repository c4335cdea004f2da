import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { tempDir, unzip } from '@hangar/testing';
import { TRUNCATION_NOTE, zipDownloads, zipEntryName } from './downloads.zip.js';

/*
 * zipDownloads on a real folder holding what a hostile browser user can leave in its downloads
 * folder: a symlink to a host secret, a hard link to a file outside, a FIFO (would block a naive
 * reader), a subfolder, a partial download, a name with control characters, and more bytes than
 * the cap. Only the regular files the cap allows come out, under relative names, plus a note.
 */
it('takes only regular files of the folder, within the cap, and says what it left out', async () => {
  const root = tempDir('hangar-downloads-zip-');
  const folder = path.join(root, 'downloads');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'a.txt'), '0123456789');
  writeFileSync(path.join(folder, 'b\u0001.txt'), 'abcdefghij');
  writeFileSync(path.join(folder, 'c.txt'), 'ABCDEFGHIJ'); // past the 25-byte cap
  writeFileSync(path.join(folder, 'half.bin.crdownload'), 'partial');
  symlinkSync('/etc/shadow', path.join(folder, 'shadow-link'));
  symlinkSync('/etc', path.join(folder, 'etc-link'));
  const outside = path.join(root, 'host-secret');
  writeFileSync(outside, 'host secret');
  linkSync(outside, path.join(folder, 'hard-link'));
  execFileSync('mkfifo', [path.join(folder, 'fifo')]);
  mkdirSync(path.join(folder, 'sub'));
  writeFileSync(path.join(folder, 'sub', 'nested.txt'), 'nested');

  const entries = await unzip(await buffer(zipDownloads(folder, { maxBytes: 25 })));
  expect([...entries.keys()].sort()).toEqual(['a.txt', 'b_.txt', TRUNCATION_NOTE].sort());
  expect(entries.get('a.txt')!.toString()).toBe('0123456789');
  expect(entries.get('b_.txt')!.toString()).toBe('abcdefghij');
  const note = entries.get(TRUNCATION_NOTE)!.toString();
  expect(note).toContain('HANGAR_DOWNLOADS_MAX_BYTES: 25 bytes');
  expect(note).toContain('c.txt');
  for (const body of entries.values()) expect(body.toString()).not.toMatch(/host secret|root:/);
});

it('a missing folder is an empty zip; a uid that does not own the files takes none', async () => {
  const root = tempDir('hangar-downloads-zip-');
  expect((await unzip(await buffer(zipDownloads(path.join(root, 'none'), { maxBytes: 1024 })))).size).toBe(0);
  writeFileSync(path.join(root, 'mine.txt'), 'x');
  expect((await unzip(await buffer(zipDownloads(root, { maxBytes: 1024, uid: 65_000 })))).size).toBe(0);
});

it('entry names stay one relative segment', () => {
  expect(zipEntryName('..')).toBe('_');
  expect(zipEntryName('a\\..\\b')).toBe('a_.._b');
  expect(zipEntryName('x\u0000y')).toBe('x_y');
});
