import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '@hangar/testing';
import { describeArtifactStore } from '../testing/artifact-store.contract.js';
import { FsArtifactStore } from './fs-artifact-store.js';

describeArtifactStore('folder', () => FsArtifactStore.open(tempDir('hangar-artifacts-fs-')));

describe('folder artifact store on disk', () => {
  it('keeps files 0600 in folders 0700 under its root, and nothing anywhere else', async () => {
    const parent = tempDir('hangar-artifacts-fs-');
    const root = path.join(parent, 'artifacts');
    const store = await FsArtifactStore.open(root);
    await store.put('sessions/s1/recording/0001.json.gz', Buffer.from('x'));
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(root, 'sessions', 's1')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(root, 'sessions/s1/recording/0001.json.gz')).mode & 0o777).toBe(0o600);
    expect(readdirSync(parent)).toEqual(['artifacts']);
    await expect(store.put('../outside', Buffer.from('x'))).rejects.toThrow('invalid artifact key');
    expect(readdirSync(parent)).toEqual(['artifacts']);
  });

  it('makes only its own folder 0700: parents it creates stay traversable', async () => {
    const parent = tempDir('hangar-artifacts-fs-');
    const root = path.join(parent, 'lib', 'hangar', 'artifacts');
    await FsArtifactStore.open(root);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    // The browsers' users and Postgres pass through the same parents to the folders kept beside it.
    for (const dir of [path.join(parent, 'lib'), path.join(parent, 'lib', 'hangar')]) expect(statSync(dir).mode & 0o001).toBe(0o001);
  });

  it('sweeps what a put killed half-way left (an hour old), and never lists it', async () => {
    const root = tempDir('hangar-artifacts-fs-');
    mkdirSync(path.join(root, '.partial', 'a-dead-process'), { recursive: true });
    writeFileSync(path.join(root, '.partial', 'a-dead-process', 'left-by-a-crash'), 'half');
    writeFileSync(path.join(root, '.partial', 'left-by-an-older-version'), 'half');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const stale of ['a-dead-process', 'left-by-an-older-version']) utimesSync(path.join(root, '.partial', stale), old, old);
    const store = await FsArtifactStore.open(root);
    expect(existsSync(path.join(root, '.partial', 'a-dead-process'))).toBe(false);
    expect(existsSync(path.join(root, '.partial', 'left-by-an-older-version'))).toBe(false);
    expect(await store.list('')).toEqual([]);
  });

  it('is opened by several processes on one folder at once, and an open never breaks another\'s put in flight', async () => {
    const root = tempDir('hangar-artifacts-fs-');
    // npm start's services open the store together on a first start.
    const stores = await Promise.all(Array.from({ length: 6 }, () => FsArtifactStore.open(root)));
    const { PassThrough } = await import('node:stream');
    const body = new PassThrough();
    const put = stores[0]!.put('projects/p/a.bin', body);
    body.write(Buffer.alloc(1024, 1));
    await new Promise((r) => setTimeout(r, 20));
    await FsArtifactStore.open(root);
    body.end(Buffer.alloc(1024, 2));
    await expect(put).resolves.toMatchObject({ bytes: 2048 });
    await expect(stores[3]!.get('projects/p/a.bin')).resolves.toHaveLength(2048);
  });
});
