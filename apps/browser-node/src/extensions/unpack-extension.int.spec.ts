import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { FsArtifactStore } from '@hangar/artifacts';
import { extensionArtifactKey } from '@hangar/domain';
import { makeZip, MV3_MANIFEST, tempDir } from '@hangar/testing';
import { ExtensionUnavailable, unpackExtension } from './unpack-extension.js';

/*
 * The node's unpack against a real fs artifact store, with zips put there directly (as if the
 * gateway's check had been skipped): it checks again, and a refused zip leaves nothing behind.
 */
const root = tempDir('hangar-unpack-');
let store: FsArtifactStore;
let n = 0;

beforeAll(async () => {
  store = await FsArtifactStore.open(path.join(root, 'artifacts'));
});

async function unpack(zip: Buffer, projectId = 'p1') {
  const extensionId = `e${n++}`;
  await store.put(extensionArtifactKey('p1', extensionId), zip);
  const sessionRoot = path.join(root, `session-${extensionId}`);
  await mkdir(sessionRoot, { mode: 0o711 });
  return { sessionRoot, run: () => unpackExtension({ artifacts: store, projectId, extensionId, sessionRoot, user: undefined, limits: { maxEntries: 100, maxUnpackedBytes: 1 << 20 } }) };
}

describe('unpackExtension', () => {
  it('unpacks into <session>/extension, answers the folder of manifest.json, files 0600 and folders 0700', async () => {
    const { sessionRoot, run } = await unpack(makeZip([{ name: 'top/', mode: 0o040777 }, { name: 'top/manifest.json', data: MV3_MANIFEST, deflate: true }, { name: 'top/js/a.js', data: 'a', mode: 0o100777 }]));
    const dir = await run();
    expect(dir).toBe(path.join(sessionRoot, 'extension', 'top/'));
    expect(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).toBe(MV3_MANIFEST);
    expect(statSync(path.join(dir, 'js', 'a.js')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'js')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(sessionRoot, 'extension')).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(sessionRoot, 'extension.zip'))).toBe(false);
  });

  it.each([
    ['zip-slip', [{ name: 'manifest.json', data: MV3_MANIFEST }, { name: '../escaped.js', data: 'x' }], /escapes/],
    ['a symlink', [{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'link', data: '/etc/passwd', mode: 0o120777 }], /symlink/],
    ['a bomb', [{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'zeros', data: Buffer.alloc(4 << 20), deflate: true }], /expands to more than/],
  ])('refuses %s and leaves nothing', async (_what, entries, problem) => {
    const { sessionRoot, run } = await unpack(makeZip(entries));
    await expect(run()).rejects.toThrow(problem);
    expect(readdirSync(sessionRoot)).toEqual([]);
    expect(existsSync(path.join(root, 'escaped.js'))).toBe(false);
  });

  it("never fetches another project's extension: the key is the session's project's", async () => {
    const { run } = await unpack(makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }]), 'p2');
    await expect(run()).rejects.toThrow(ExtensionUnavailable);
  });
});
