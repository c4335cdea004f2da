import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ArtifactTooLarge, InvalidArtifactKey, type ArtifactStore } from '../artifact-store.js';
import { readAll } from '../read-all.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A body made of `chunks` pieces of `size` bytes, counting how many bytes the store pulled. */
function countedBody(chunks: number, size: number) {
  const counter = { pulled: 0 };
  const body = Readable.from(
    (function* () {
      for (let i = 0; i < chunks; i++) {
        counter.pulled += size;
        yield randomBytes(size);
      }
    })(),
  );
  return { body, counter };
}

/**
 * What every ArtifactStore does, run against each implementation for real (a folder, a
 * nats-server, an S3-speaking server): `open` gives a fresh, empty store per test.
 */
export function describeArtifactStore(name: string, open: () => Promise<ArtifactStore>) {
  describe(`artifact store: ${name}`, () => {
    let store: ArtifactStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores bytes and answers them back with their size and SHA-256', async () => {
      const bytes = Buffer.from('{"hello":"world"}');
      expect(await store.put('sessions/s1/logs/0001.json', bytes)).toEqual({ key: 'sessions/s1/logs/0001.json', bytes: bytes.length, sha256: sha256(bytes) });
      expect(await store.get('sessions/s1/logs/0001.json')).toEqual(bytes);
      expect(await readAll(await store.stream('sessions/s1/logs/0001.json'))).toEqual(bytes);
    });

    it('streams a large body in and out unchanged (several chunks and parts)', async () => {
      const bytes = randomBytes(7 * 1024 * 1024 + 13);
      const chunks = Array.from({ length: 8 }, (_, i) => bytes.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
      const stored = await store.put('sessions/s1/downloads.zip', Readable.from(chunks));
      expect(stored).toMatchObject({ bytes: bytes.length, sha256: sha256(bytes) });
      const back = await readAll(await store.stream('sessions/s1/downloads.zip'));
      expect(back?.length).toBe(bytes.length);
      expect(sha256(back!)).toBe(sha256(bytes));
    });

    it('lists by key prefix in key order, a sibling with a longer name left out', async () => {
      for (const key of ['sessions/a/2', 'sessions/a/1', 'sessions/a/sub/3', 'sessions/ab/1', 'other/1']) await store.put(key, Buffer.from(key));
      expect(await store.list('sessions/a/')).toEqual([
        { key: 'sessions/a/1', bytes: 12 },
        { key: 'sessions/a/2', bytes: 12 },
        { key: 'sessions/a/sub/3', bytes: 16 },
      ]);
      expect((await store.list('sessions/a')).map((e) => e.key)).toEqual(['sessions/a/1', 'sessions/a/2', 'sessions/a/sub/3', 'sessions/ab/1']);
      expect(await store.list('nothing/')).toEqual([]);
    });

    it('answers undefined for what is not there, and a delete of it is no error', async () => {
      expect(await store.get('sessions/none/x')).toBeUndefined();
      expect(await store.stream('sessions/none/x')).toBeUndefined();
      await expect(store.delete('sessions/none/x')).resolves.toBeUndefined();
    });

    it('replaces on a second put of a key, and forgets it on delete', async () => {
      await store.put('k/v', Buffer.from('one'));
      await store.put('k/v', Buffer.from('two!'));
      expect((await store.get('k/v'))?.toString()).toBe('two!');
      expect(await store.list('k/')).toEqual([{ key: 'k/v', bytes: 4 }]);
      await store.delete('k/v');
      expect(await store.get('k/v')).toBeUndefined();
      expect(await store.list('k/')).toEqual([]);
    });

    it('refuses a body past maxBytes without reading it to the end, and keeps nothing of it', async () => {
      const { body, counter } = countedBody(64, 256 * 1024); // 16 MB offered
      await expect(store.put('capped/big', body, { maxBytes: 1024 * 1024 })).rejects.toBeInstanceOf(ArtifactTooLarge);
      expect(counter.pulled).toBeLessThan(8 * 1024 * 1024);
      expect(await store.get('capped/big')).toBeUndefined();
      expect(await store.list('capped/')).toEqual([]);
      // A body exactly at the cap is fine.
      await expect(store.put('capped/exact', Buffer.alloc(1024), { maxBytes: 1024 })).resolves.toMatchObject({ bytes: 1024 });
    });

    it('keeps nothing of a put whose body fails half-way', async () => {
      const failing = Readable.from(
        (async function* () {
          yield randomBytes(300 * 1024);
          throw new Error('client went away');
        })(),
      );
      await expect(store.put('broken/upload', failing)).rejects.toThrow('client went away');
      expect(await store.get('broken/upload')).toBeUndefined();
      expect(await store.list('broken/')).toEqual([]);
    });

    it.each(['../escape', '/etc/passwd', 'a//b', 'a/../../b', 'a/./b', '.hidden', 'a/-x', 'nul\0byte', 'back\\slash', '', 'x'.repeat(513)])(
      'refuses the key %j everywhere',
      async (key) => {
        await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidArtifactKey);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidArtifactKey);
        await expect(store.stream(key)).rejects.toBeInstanceOf(InvalidArtifactKey);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidArtifactKey);
        if (key !== '') await expect(store.list(key)).rejects.toBeInstanceOf(InvalidArtifactKey);
      },
    );
  });
}
