import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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

  it('sweeps what a put killed half-way left, and never lists it', async () => {
    const root = tempDir('hangar-artifacts-fs-');
    mkdirSync(path.join(root, '.partial'), { recursive: true });
    writeFileSync(path.join(root, '.partial', 'left-by-a-crash'), 'half');
    const store = await FsArtifactStore.open(root);
    expect(existsSync(path.join(root, '.partial', 'left-by-a-crash'))).toBe(false);
    expect(await store.list('')).toEqual([]);
  });
});
