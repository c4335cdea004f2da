import { ContextCreated, ContextDeleted, ContextSaved, type ContextEvent } from '@hangar/contracts';
import { contextAggregate, contextNameAggregate, ContextRuleViolation, decideContext, decideContextName } from './context.aggregate.js';
import { contextNameToken, contextProfileKey, normalizeContextName } from './context.rules.js';
import { foldContext, prunableProfileKeys, usableContext } from './context.state.js';
import { DEFAULT_PROFILE_RULES, profileEntryLate, profileEntryProblem, profileFileKept, profileFolderLeadsLate, profileFolderWalked } from './profile.rules.js';

const meta = { correlationId: 't' };
const at = (n: number) => ({ meta, now: new Date(Date.UTC(2026, 0, 1, 0, 0, n)), eventId: `e${n}` });
const sha = 'a'.repeat(64);
const created = ContextCreated.create({ contextId: 'c1', projectId: 'p1', name: 'Shop', publicKey: 'pem' }, meta);
const save = (sessionId: string) => ({ type: 'Save' as const, projectId: 'p1', sessionId, key: `projects/p1/contexts/c1/${sessionId}.profile`, bytes: 10, sha256: sha, files: 3 });

function run(events: ContextEvent[]) {
  return events.reduce((s, e, i) => contextAggregate.evolve(s, e, i + 1), contextAggregate.initial);
}

describe('context rules', () => {
  it('numbers saves on the stream: two sessions ending together make versions 1 and 2, and the last one is the profile', () => {
    let state = run([created]);
    const first = decideContext(state, save('s1'), at(1));
    const second = decideContext(state, save('s2'), at(2));
    // Both decided on the same state: the second's append conflicts, so it decides again after the first.
    expect(first[0]!.data).toMatchObject({ version: 1 });
    state = run([created, ...first]);
    const again = decideContext(state, save('s2'), at(3));
    expect(second[0]!.data).toMatchObject({ version: 1 });
    expect(again[0]!.data).toMatchObject({ version: 2, sessionId: 's2' });
    state = run([created, ...first, ...again]);
    expect(state.context.kind === 'active' && state.context.profile).toMatchObject({ version: 2, sessionId: 's2' });
    expect(prunableProfileKeys(state.context)).toEqual([]);
  });

  it('keeps the newest two saved objects and lets the older go', () => {
    const saves = ['s1', 's2', 's3'].map((s, i) => ContextSaved.create({ contextId: 'c1', projectId: 'p1', sessionId: s, version: i + 1, key: `k${i}`, bytes: 1, sha256: sha, files: 1 }, meta));
    expect(prunableProfileKeys(foldContext([created, ...saves]))).toEqual(['k0']);
  });

  it('records no save for a deleted context, or for another project', () => {
    const deleted = run([created, ContextDeleted.create({ contextId: 'c1', projectId: 'p1' }, meta)]);
    expect(() => decideContext(deleted, save('s1'), at(1))).toThrow(ContextRuleViolation);
    expect(() => decideContext(run([created]), { ...save('s1'), projectId: 'p2' }, at(1))).toThrow(ContextRuleViolation);
    expect(usableContext(deleted.context, 'p1')).toBeUndefined();
    expect(usableContext(run([created]).context, 'p2')).toBeUndefined();
    expect(() => decideContext(deleted, { type: 'Delete', projectId: 'p1' }, at(1))).toThrow(/not found/);
  });

  it('lets one context hold a name, compared without case; a deleted holder\'s claim can be taken over', () => {
    const claim = (contextId: string, goneHolder?: string) => ({ type: 'Claim' as const, projectId: 'p1', contextId, name: 'shop', goneHolder });
    const held = contextNameAggregate.evolve(contextNameAggregate.initial, decideContextName(contextNameAggregate.initial, claim('c1'), at(1))[0]!, 1);
    expect(() => decideContextName(held, claim('c2'), at(2))).toThrow(/a context named "shop" already exists/);
    expect(new ContextRuleViolation('NAME_TAKEN', 'x').toCommandError().code).toBe('VALIDATION');
    expect(decideContextName(held, claim('c2', 'c1'), at(2))).toHaveLength(1);
    expect(decideContextName(held, claim('c1'), at(2))).toEqual([]);
    expect(decideContextName(held, { type: 'Release', projectId: 'p1', contextId: 'c2' }, at(2))).toEqual([]);
    expect(contextNameToken('p1', 'Shop')).toBe(contextNameToken('p1', '  shop'.trim()));
    expect(contextNameToken('p1', 'SHOP')).not.toBe(contextNameToken('p2', 'shop'));
  });

  it('trims names and refuses empty, long or control-character ones', () => {
    expect(normalizeContextName('  Shop ')).toEqual({ name: 'Shop' });
    expect(normalizeContextName(undefined)).toEqual({ name: undefined });
    expect(normalizeContextName('   ')).toEqual({ problem: expect.stringContaining('empty') });
    expect(normalizeContextName(3)).toEqual({ problem: 'name must be a string' });
    expect(normalizeContextName('x'.repeat(201))).toEqual({ problem: expect.stringContaining('at most 200') });
    expect(normalizeContextName('a\nb')).toEqual({ problem: expect.stringContaining('control') });
  });

  it('builds keys only from safe ids', () => {
    expect(contextProfileKey('p1', 'c1', 's1')).toBe('projects/p1/contexts/c1/s1.profile');
    expect(() => contextProfileKey('p1', '../c', 's1')).toThrow();
  });
});

describe('profile rules', () => {
  const rules = DEFAULT_PROFILE_RULES;
  it.each([
    ['Default/Network/Cookies', true],
    ['Default/Cookies', true],
    ['Local State', true],
    ['Default/Local Storage/leveldb/000003.log', true],
    ['Default/IndexedDB/http_127.0.0.1_8080.indexeddb.leveldb/CURRENT', true],
    ['Default/Service Worker/CacheStorage/abc/index', true],
    ['Default/Cache/Cache_Data/index', false],
    ['Default/Code Cache/js/index', false],
    ['Default/GPUCache/data_0', false],
    ['Default/History', false],
    ['SingletonLock', false],
    ['Default/Network/SingletonCookie', false],
    ['Safe Browsing/x', false],
  ])('%s kept: %s', (rel, kept) => expect(profileFileKept(rel, rules)).toBe(kept));

  it('keeps the HTTP cache only when the operator asks', () => {
    expect(profileFileKept('Default/Cache/Cache_Data/index', { keepHttpCache: true })).toBe(true);
  });

  it('walks only folders that hold something kept', () => {
    expect(profileFolderWalked('Default', rules)).toBe(true);
    expect(profileFolderWalked('Default/IndexedDB/x', rules)).toBe(true);
    expect(profileFolderWalked('Default/GPUCache', rules)).toBe(false);
    expect(profileFolderWalked('Crashpad', rules)).toBe(false);
  });

  it.each([
    ['../etc/passwd', 'file'],
    ['/etc/passwd', 'file'],
    ['Default/../../x', 'file'],
    ['Default/Network/Cookies', 'other'],
    ['Default/GPUCache/data', 'file'],
    ['SingletonLock', 'file'],
    ['Default\\Cookies', 'file'],
  ] as const)('refuses to restore %s (%s)', (name, type) => expect(profileEntryProblem(name, type, rules)).toBeDefined());

  it('restores kept files and their folders', () => {
    expect(profileEntryProblem('Default/', 'directory', rules)).toBeUndefined();
    expect(profileEntryProblem('Default/Local Storage/leveldb/', 'directory', rules)).toBeUndefined();
    expect(profileEntryProblem('Default/Network/Cookies', 'file', rules)).toBeUndefined();
  });

  it('puts the stores Chromium opens only on a page\'s request last, and walks only towards them for that part', () => {
    expect(profileEntryLate('Default/IndexedDB/')).toBe(true);
    expect(profileEntryLate('Default/IndexedDB/http_a_0.indexeddb.leveldb/000003.log')).toBe(true);
    expect(profileEntryLate('Default/Service Worker/CacheStorage/abc/index')).toBe(true);
    expect(profileEntryLate('Default/File System/000/t/00/00000000')).toBe(true);
    for (const early of ['Default/Preferences', 'Default/Network/Cookies', 'Default/Local Storage/leveldb/CURRENT', 'Default/Service Worker/Database/CURRENT', 'Default/Service Worker/', 'Default/IndexedDBx/a', 'Local State']) {
      expect(profileEntryLate(early)).toBe(false);
    }
    expect(profileFolderLeadsLate('Default')).toBe(true);
    expect(profileFolderLeadsLate('Default/Service Worker')).toBe(true);
    expect(profileFolderLeadsLate('Default/Service Worker/CacheStorage/abc')).toBe(true);
    expect(profileFolderLeadsLate('Default/Service Worker/Database')).toBe(false);
    expect(profileFolderLeadsLate('Default/Network')).toBe(false);
  });
});
