import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_EXTENSION_LIMITS } from '@hangar/domain';
import { makeZip, MV3_MANIFEST, tempDir } from '@hangar/testing';
import { checkExtensionZip } from './extension-zip.js';

const dir = tempDir('hangar-extension-zip-');
let n = 0;
function onDisk(zip: Buffer): string {
  const file = path.join(dir, `${n++}.zip`);
  writeFileSync(file, zip);
  return file;
}
const check = (zip: Buffer, limits = DEFAULT_EXTENSION_LIMITS) => checkExtensionZip(onDisk(zip), limits);

describe('checkExtensionZip', () => {
  it('accepts manifest.json at the root or in one top folder, and says where', async () => {
    await expect(check(makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'a.js', data: '1' }]))).resolves.toMatchObject({ ok: true, root: '', manifest: { name: 'hangar test' }, entries: 2 });
    await expect(check(makeZip([{ name: 'ext/', mode: 0o040755 }, { name: 'ext/manifest.json', data: MV3_MANIFEST, deflate: true }]))).resolves.toMatchObject({ ok: true, root: 'ext/' });
  });

  it.each([
    ['not a zip', Buffer.from('not a zip at all'), /not a zip/],
    ['no manifest', makeZip([{ name: 'a.js', data: '1' }]), /manifest.json is missing/],
    ['a bad manifest', makeZip([{ name: 'manifest.json', data: '{"name":"x"}' }]), /manifest_version/],
    ['zip-slip', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: '../../evil.js', data: 'x' }]), /escapes/],
    ['an absolute path', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: '/tmp/evil.js', data: 'x' }]), /absolute/],
    ['a backslash', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: '..\\evil.js', data: 'x' }]), /backslash/],
    ['a symlink', makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'passwd', data: '/etc/passwd', mode: 0o120777 }]), /symlink/],
  ])('refuses %s', async (_what, zip, problem) => {
    const answer = await check(zip);
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.problem).toMatch(problem);
  });

  it('refuses too many entries and a zip that expands past the cap', async () => {
    const many = makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, ...Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.js`, data: 'x' }))]);
    await expect(check(many, { maxEntries: 10, maxUnpackedBytes: 1 << 20 })).resolves.toMatchObject({ ok: false, problem: expect.stringMatching(/entries/) });
    // 8 MiB of zeros deflates to a few KiB: refused on its size long before it is all inflated.
    const bomb = makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'zeros.bin', data: Buffer.alloc(8 << 20), deflate: true }]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expect(check(bomb, { maxEntries: 10, maxUnpackedBytes: 1 << 20 })).resolves.toMatchObject({ ok: false, problem: expect.stringMatching(/expands to more than/) });
  });

  it('counts the inflated bytes, not only what the headers declare', async () => {
    const bomb = makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }, { name: 'zeros.bin', data: Buffer.alloc(4 << 20), deflate: true }]);
    // Rewrite the declared uncompressed size (local header and central directory) to 16 bytes.
    const lying = Buffer.from(bomb);
    for (const sig of [0x04034b50, 0x02014b50]) {
      for (let i = lying.indexOf(Buffer.from([sig & 0xff, (sig >> 8) & 0xff, (sig >> 16) & 0xff, sig >>> 24])); i >= 0; i = lying.indexOf(Buffer.from([sig & 0xff, (sig >> 8) & 0xff, (sig >> 16) & 0xff, sig >>> 24]), i + 4)) {
        const nameLen = lying.readUInt16LE(i + (sig === 0x04034b50 ? 26 : 28));
        const nameAt = i + (sig === 0x04034b50 ? 30 : 46);
        if (lying.toString('utf8', nameAt, nameAt + nameLen) === 'zeros.bin') lying.writeUInt32LE(16, i + (sig === 0x04034b50 ? 22 : 24));
      }
    }
    const answer = await check(lying, { maxEntries: 10, maxUnpackedBytes: 1 << 20 });
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.problem).toMatch(/expands to more than|corrupt/);
  });
});
