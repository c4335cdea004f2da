import { createCipheriv, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openProfile, ProfileSealBroken, sealedBytesFor, sealProfile } from './profile-cipher.js';

const key = randomBytes(32);
const objectKey = 'projects/p/contexts/c/s.profile';
const CHUNK = 64 * 1024;
const SEALED_CHUNK = CHUNK + 16;
const HEAD = 8 + 16;

/** The bytes in `pieces` of `size`, through a transform, and what came out before any error. */
async function through(transform: NodeJS.ReadWriteStream, bytes: Buffer, size = 1000): Promise<{ out: Buffer; error?: unknown }> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  const got: Buffer[] = [];
  const sink = new PassThrough().on('data', (c: Buffer) => got.push(c));
  try {
    await pipeline(Readable.from(pieces), transform, sink);
    return { out: Buffer.concat(got) };
  } catch (error) {
    return { out: Buffer.concat(got), error };
  }
}

const seal = async (plain: Buffer) => (await through(sealProfile(key, objectKey), plain, 7_000)).out;

/** A profile sealed the way saves were before the chunked layout: one GCM over the whole tar. */
function sealV1(plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(objectKey));
  return Buffer.concat([Buffer.from('HGRCTX1\n'), iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

describe('context profile seal (chunked AES-256-GCM)', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])('opens what it sealed, %i bytes, fed in any pieces, in exactly sealedBytesFor', async (size) => {
    const plain = randomBytes(size);
    const sealed = await seal(plain);
    expect(sealed.subarray(0, 8).toString()).toBe('HGRCTX2\n');
    expect(sealed.length).toBe(sealedBytesFor(size));
    for (const piece of [7, 999, SEALED_CHUNK, 1 << 20]) expect((await through(openProfile(key, objectKey), sealed, piece)).out).toEqual(plain);
  });

  it('hands on only authenticated bytes: an altered chunk fails there, with nothing of it or after it passed on', async () => {
    const plain = randomBytes(4 * CHUNK + 100);
    const sealed = await seal(plain);
    const altered = Buffer.from(sealed);
    altered[HEAD + 2 * SEALED_CHUNK + 10]! ^= 1;
    const { out, error } = await through(openProfile(key, objectKey), altered);
    expect(error).toBeInstanceOf(ProfileSealBroken);
    expect(out.length).toBeLessThanOrEqual(2 * CHUNK);
    expect(plain.subarray(0, out.length)).toEqual(out);
  });

  it('refuses chunks dropped, swapped or cut off, bytes added, another key or another object', async () => {
    const sealed = await seal(randomBytes(3 * CHUNK + 100));
    const chunk = (i: number) => sealed.subarray(HEAD + i * SEALED_CHUNK, HEAD + (i + 1) * SEALED_CHUNK);
    const head = sealed.subarray(0, HEAD);
    const last = sealed.subarray(HEAD + 3 * SEALED_CHUNK);
    const cases: Array<[string, Buffer, Buffer, string]> = [
      ['a chunk dropped', Buffer.concat([head, chunk(0), chunk(2), last]), key, objectKey],
      ['two chunks swapped', Buffer.concat([head, chunk(1), chunk(0), chunk(2), last]), key, objectKey],
      ['cut at a chunk boundary', Buffer.concat([head, chunk(0), chunk(1), chunk(2)]), key, objectKey],
      ['cut inside the last chunk', sealed.subarray(0, sealed.length - 3), key, objectKey],
      ['bytes added', Buffer.concat([sealed, Buffer.from('x')]), key, objectKey],
      ['another key', sealed, randomBytes(32), objectKey],
      ["another object's key", sealed, key, 'projects/p/contexts/other/s.profile'],
      ['not sealed at all', Buffer.from('not a sealed profile, not at all'), key, objectKey],
    ];
    for (const [what, bytes, k, aad] of cases) {
      const { error } = await through(openProfile(k, aad), bytes);
      expect([what, error]).toEqual([what, expect.any(ProfileSealBroken)]);
    }
  });

  it('still opens a profile saved in the first layout, which counts as verified only at its end', async () => {
    const plain = randomBytes(2 * CHUNK + 3);
    const v1 = openProfile(key, objectKey);
    const seen: boolean[] = [];
    const { out, error } = await through(v1.on('data', () => seen.push(v1.verified)), sealV1(plain));
    expect(error).toBeUndefined();
    expect(out).toEqual(plain);
    expect(seen[0]).toBe(false);
    expect(v1.verified).toBe(true);
    const altered = sealV1(plain);
    altered[100]! ^= 1;
    expect((await through(openProfile(key, objectKey), altered)).error).toBeInstanceOf(ProfileSealBroken);
    const v2 = openProfile(key, objectKey);
    await through(v2, await seal(plain));
    expect(v2.verified).toBe(true);
  });
});
