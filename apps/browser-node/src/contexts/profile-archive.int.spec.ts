import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsArtifactStore } from '@hangar/artifacts';
import { DEFAULT_PROFILE_RULES, profileEntryLate } from '@hangar/domain';
import { tempDir } from '@hangar/testing';
import tar from 'tar-stream';
import { createBrowserFolders } from '../isolation/browser-folders.js';
import { openProfile, parseContextKey, ProfileSealBroken, sealProfile } from './profile-cipher.js';
import { packProfile, ProfileTooLarge } from './profile-pack.js';
import { ProfileUnusable, restoreProfile } from './profile-restore.js';

/*
 * A profile's way to the store and back, on real folders and a real fs artifact store: what a
 * save keeps, the seal, and both fences (what the pack reads as root, what the restore writes).
 */
const root = tempDir('hangar-profile-');
const key = randomBytes(32);
const rules = DEFAULT_PROFILE_RULES;
let n = 0;

function write(dir: string, rel: string, data: string | Buffer) {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), data);
}

/** pack → seal → the store → open → restore into a fresh browser folder. */
async function roundTrip(profileDir: string, store: FsArtifactStore) {
  const objectKey = `projects/p/contexts/c/s${n++}.profile`;
  const seal = sealProfile(key, objectKey);
  const [packed, stored] = await Promise.all([packProfile(profileDir, seal, rules, undefined), store.put(objectKey, seal)]);
  const folders = createBrowserFolders(path.join(root, `restored-${n}`), undefined);
  const restored = await restoreProfile((await store.stream(objectKey))!, openProfile(key, objectKey), folders, undefined, rules);
  return { packed, stored, restored, folders, objectKey };
}

describe('a context profile at rest', () => {
  let store: FsArtifactStore;
  beforeAll(async () => {
    store = await FsArtifactStore.open(path.join(root, 'artifacts'));
  });

  it('keeps cookies, storage and preferences, leaves caches and lock files out, and comes back whole', async () => {
    const dir = path.join(root, 'profile-a');
    write(dir, 'Local State', '{"a":1}');
    write(dir, 'Default/Network/Cookies', 'cookie-db-secret-value');
    write(dir, 'Default/Local Storage/leveldb/000003.log', randomBytes(300_000));
    write(dir, 'Default/IndexedDB/http_127.0.0.1_1.indexeddb.leveldb/CURRENT', 'MANIFEST-1');
    write(dir, 'Default/Preferences', JSON.stringify({ download: { default_directory: '/elsewhere/downloads' }, savefile: { default_directory: '/x' }, homepage: 'kept' }));
    write(dir, 'Default/Cache/Cache_Data/data_0', randomBytes(100_000));
    write(dir, 'Default/GPUCache/data_0', 'gpu');
    write(dir, 'Default/History', 'history');
    write(dir, 'Default/Network/empty', '');
    symlinkSync('otherhost-123', path.join(dir, 'SingletonLock'));
    const { packed, stored, restored, folders } = await roundTrip(dir, store);
    expect(packed).toEqual(restored);
    expect(packed.files).toBe(6);
    const back = folders.profile;
    expect(readFileSync(path.join(back, 'Default/Network/Cookies'), 'utf8')).toBe('cookie-db-secret-value');
    expect(readFileSync(path.join(back, 'Default/Local Storage/leveldb/000003.log'))).toEqual(readFileSync(path.join(dir, 'Default/Local Storage/leveldb/000003.log')));
    expect(existsSync(path.join(back, 'Default/Cache'))).toBe(false);
    expect(existsSync(path.join(back, 'Default/GPUCache'))).toBe(false);
    expect(existsSync(path.join(back, 'Default/History'))).toBe(false);
    expect(existsSync(path.join(back, 'SingletonLock'))).toBe(false);
    expect(statSync(path.join(back, 'Default/Network/Cookies')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(back, 'Default/Local Storage/leveldb')).mode & 0o777).toBe(0o700);
    // This session's download folder, not the one the saved profile named; other saved prefs stay.
    const prefs = JSON.parse(readFileSync(path.join(back, 'Default/Preferences'), 'utf8'));
    expect(prefs).toMatchObject({ homepage: 'kept', download: { default_directory: folders.downloads } });
    expect(prefs.savefile).toBeUndefined();
    // Sealed at rest: nothing of the profile reads in the stored object.
    const raw = readFileSync(path.join(root, 'artifacts', stored.key));
    expect(raw.subarray(0, 8).toString()).toBe('HGRCTX2\n');
    expect(raw.includes(Buffer.from('cookie-db-secret-value'))).toBe(false);
    expect(raw.includes(Buffer.from('Cookies'))).toBe(false);
  });

  it('reads no host file through a symlink or a hard link planted in the profile', async () => {
    const dir = path.join(root, 'profile-b');
    const hostFile = path.join(root, 'host-secret');
    writeFileSync(hostFile, 'HOST-SECRET');
    mkdirSync(path.join(dir, 'Default/Network'), { recursive: true });
    symlinkSync(hostFile, path.join(dir, 'Default/Network/Cookies'));
    linkSync(hostFile, path.join(dir, 'Default/Cookies'));
    symlinkSync(root, path.join(dir, 'Default/IndexedDB'));
    const { packed, folders } = await roundTrip(dir, store);
    expect(packed.files).toBe(0);
    expect(existsSync(path.join(folders.profile, 'Default/Network/Cookies'))).toBe(false);
    expect(existsSync(path.join(folders.profile, 'Default/Cookies'))).toBe(false);
  });

  it('makes no save past the caps', async () => {
    const dir = path.join(root, 'profile-c');
    write(dir, 'Default/Network/Cookies', randomBytes(4096));
    write(dir, 'Default/Cookies', randomBytes(4096));
    await expect(packProfile(dir, new PassThrough().resume(), { ...rules, maxBytes: 5000 }, undefined)).rejects.toThrow(ProfileTooLarge);
    await expect(packProfile(dir, new PassThrough().resume(), { ...rules, maxFiles: 1 }, undefined)).rejects.toThrow(ProfileTooLarge);
  });

  it('does not open with another key, another object\'s key, or one altered bit, and leaves an empty profile', async () => {
    const dir = path.join(root, 'profile-d');
    write(dir, 'Default/Network/Cookies', 'c');
    const { objectKey } = await roundTrip(dir, store);
    const stored = (await store.get(objectKey))!;
    const flipped = Buffer.from(stored);
    flipped[flipped.length - 40]! ^= 1;
    const cases: Array<[Buffer, Buffer, string]> = [
      [stored, randomBytes(32), objectKey],
      [stored, key, 'projects/p/contexts/other/s.profile'],
      [flipped, key, objectKey],
      [stored.subarray(0, stored.length - 5), key, objectKey],
    ];
    for (const [bytes, k, aad] of cases) {
      const folders = createBrowserFolders(path.join(root, `refused-${n++}`), undefined);
      await expect(restoreProfile(Readable.from([bytes]), openProfile(k, aad), folders, undefined, rules)).rejects.toThrow(ProfileUnusable);
      expect(readdirSync(folders.profile)).toEqual(['Default']);
      expect(readdirSync(path.join(folders.profile, 'Default'))).toEqual(['Preferences']);
    }
    await expect(pipeline(Readable.from([Buffer.from('not sealed at all, not at all')]), openProfile(key, objectKey), new PassThrough().resume())).rejects.toThrow(ProfileSealBroken);
  });

  it.each([
    ['zip-slip', { name: '../../escaped', type: 'file' as const }],
    ['an absolute path', { name: '/tmp/escaped', type: 'file' as const }],
    ['a symlink', { name: 'Default/Cookies', type: 'symlink' as const, linkname: '/etc/shadow' }],
    ['a hard link', { name: 'Default/Cookies', type: 'link' as const, linkname: 'Local State' }],
    ['a file a save does not keep', { name: 'Default/Secret Cache/x', type: 'file' as const }],
  ])('refuses a sealed tar holding %s, and leaves nothing of it', async (_what, header) => {
    const pack = tar.pack();
    pack.entry({ name: 'Local State', size: 2 }, '{}');
    pack.entry({ ...header, size: header.type === 'file' ? 1 : 0 }, header.type === 'file' ? 'x' : '');
    pack.finalize();
    const objectKey = `projects/p/contexts/c/hostile${n++}.profile`;
    const seal = sealProfile(key, objectKey);
    await Promise.all([pipeline(pack, seal), store.put(objectKey, seal)]);
    const folders = createBrowserFolders(path.join(root, `hostile-${n++}`), undefined);
    await expect(restoreProfile((await store.stream(objectKey))!, openProfile(key, objectKey), folders, undefined, rules)).rejects.toThrow(ProfileUnusable);
    expect(readdirSync(folders.profile)).toEqual(['Default']);
    expect(existsSync(path.join(root, 'escaped'))).toBe(false);
    expect(existsSync('/tmp/escaped')).toBe(false);
  });

  it('saves the stores Chromium opens only on request last, and lets the browser start before they are written', async () => {
    const dir = path.join(root, 'profile-late');
    write(dir, 'Default/IndexedDB/http_a_0.indexeddb.leveldb/CURRENT', 'idb');
    write(dir, 'Default/Service Worker/CacheStorage/abc/index', 'cache');
    write(dir, 'Default/Service Worker/Database/CURRENT', 'sw');
    write(dir, 'Default/Network/Cookies', 'cookies');
    write(dir, 'Local State', '{}');
    const objectKey = `projects/p/contexts/c/late${n++}.profile`;
    const seal = sealProfile(key, objectKey);
    await Promise.all([packProfile(dir, seal, rules, undefined), store.put(objectKey, seal)]);
    // The tar's order: every late entry after every other one.
    const names: string[] = [];
    const extract = tar.extract();
    const listing = (async () => {
      for await (const entry of extract) {
        names.push(entry.header.name);
        entry.resume();
      }
    })();
    await Promise.all([pipeline((await store.stream(objectKey))!, openProfile(key, objectKey), extract), listing]);
    const late = names.map((name) => profileEntryLate(name));
    expect(late.indexOf(true)).toBeGreaterThan(late.lastIndexOf(false));
    expect(names.filter((_, i) => late[i])).toEqual(expect.arrayContaining(['Default/IndexedDB/', 'Default/Service Worker/CacheStorage/', 'Default/IndexedDB/http_a_0.indexeddb.leveldb/CURRENT']));
    // At `early`: the rest is in place with this session's preferences, the late stores not yet.
    const folders = createBrowserFolders(path.join(root, `late-${n++}`), undefined);
    const atEarly: Record<string, boolean> = {};
    const there = (rel: string) => existsSync(path.join(folders.profile, rel));
    await restoreProfile((await store.stream(objectKey))!, openProfile(key, objectKey), folders, undefined, rules, () => {
      for (const rel of ['Default/Network/Cookies', 'Default/Service Worker/Database/CURRENT', 'Default/IndexedDB', 'Default/Service Worker/CacheStorage']) atEarly[rel] = there(rel);
      atEarly.preferences = (JSON.parse(readFileSync(path.join(folders.profile, 'Default/Preferences'), 'utf8')) as { download?: { default_directory?: string } }).download?.default_directory === folders.downloads;
    });
    expect(atEarly).toEqual({ 'Default/Network/Cookies': true, 'Default/Service Worker/Database/CURRENT': true, 'Default/IndexedDB': false, 'Default/Service Worker/CacheStorage': false, preferences: true });
    expect(readFileSync(path.join(folders.profile, 'Default/IndexedDB/http_a_0.indexeddb.leveldb/CURRENT'), 'utf8')).toBe('idb');
  });

  it('refuses an early entry after a late one once the browser may start, and leaves the profile to the launch to tear down', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'Default/IndexedDB/x', size: 1 }, 'x');
    pack.entry({ name: 'Default/Network/Cookies', size: 1 }, 'c');
    pack.finalize();
    const objectKey = `projects/p/contexts/c/disorder${n++}.profile`;
    const seal = sealProfile(key, objectKey);
    await Promise.all([pipeline(pack, seal), store.put(objectKey, seal)]);
    const folders = createBrowserFolders(path.join(root, `disorder-${n++}`), undefined);
    let early = 0;
    await expect(restoreProfile((await store.stream(objectKey))!, openProfile(key, objectKey), folders, undefined, rules, () => early++)).rejects.toThrow(/comes after the stores restored while the browser starts/);
    expect(early).toBe(1);
    expect(existsSync(path.join(folders.profile, 'Default/Network/Cookies'))).toBe(false);
  });

  it('takes HANGAR_CONTEXT_KEY as 64 hex digits or base64 of 32 bytes, nothing else', () => {
    const k = randomBytes(32);
    expect(parseContextKey(k.toString('hex'))).toEqual(k);
    expect(parseContextKey(k.toString('base64'))).toEqual(k);
    expect(parseContextKey(k.toString('base64url'))).toEqual(k);
    expect(parseContextKey('short')).toBeUndefined();
    expect(parseContextKey(randomBytes(16).toString('hex'))).toBeUndefined();
  });
});
