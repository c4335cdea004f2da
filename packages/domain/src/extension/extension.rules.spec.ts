import { extensionArtifactKey, extensionEntryProblem, extensionRoot, isExtensionId, isFolderEntry, parseExtensionManifest } from './extension.rules.js';
import { foldExtension, usableExtension } from './extension.state.js';

describe('extension zip entries', () => {
  it.each([
    ['manifest.json', 0o100644],
    ['top/js/content.js', 0],
    ['icons/', 0o040755],
  ])('accepts %s', (name, mode) => expect(extensionEntryProblem(name, mode)).toBeUndefined());

  it.each([
    ['', 0, /empty name/],
    ['../evil.js', 0, /escapes/],
    ['a/../../evil.js', 0, /escapes/],
    ['/etc/passwd', 0, /absolute/],
    ['C:/windows/x', 0, /absolute/],
    ['a\\..\\evil.js', 0, /backslash/],
    ['a//b.js', 0, /empty or "\."/],
    ['./a.js', 0, /empty or "\."/],
    ['nul\0.js', 0, /NUL/],
    ['link', 0o120777, /symlink/],
    ['fifo', 0o010644, /not a regular file/],
  ])('refuses %j', (name, mode, problem) => expect(extensionEntryProblem(name, mode)).toMatch(problem));

  it('knows folders by name or mode', () => {
    expect(isFolderEntry('a/', 0)).toBe(true);
    expect(isFolderEntry('a', 0o040755)).toBe(true);
    expect(isFolderEntry('a', 0o100644)).toBe(false);
  });
});

describe('where manifest.json is', () => {
  it('at the root, or in the single top folder', () => {
    expect(extensionRoot(['manifest.json', 'a.js'])).toEqual({ root: '' });
    expect(extensionRoot(['ext/', 'ext/manifest.json', 'ext/a.js'])).toEqual({ root: 'ext/' });
  });
  it('nowhere else', () => {
    expect(extensionRoot(['a.js'])).toHaveProperty('problem', expect.stringMatching(/manifest.json is missing/));
    expect(extensionRoot(['a/manifest.json', 'b/x.js'])).toHaveProperty('problem');
    expect(extensionRoot(['a/b/manifest.json'])).toHaveProperty('problem');
    expect(extensionRoot(['manifest.json/'])).toHaveProperty('problem');
  });
});

describe('manifest.json', () => {
  it('accepts MV2 and MV3 with a name and version', () => {
    expect(parseExtensionManifest('{"manifest_version":3,"name":"x","version":"1.0.2"}')).toEqual({ manifest: { manifest_version: 3, name: 'x', version: '1.0.2' } });
    expect(parseExtensionManifest('\uFEFF{"manifest_version":2,"name":"x","version":"1"}')).toHaveProperty('manifest');
  });
  it.each([
    ['{', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"name":"x","version":"1"}', /manifest_version/],
    ['{"manifest_version":4,"name":"x","version":"1"}', /manifest_version/],
    ['{"manifest_version":3,"version":"1"}', /name/],
    ['{"manifest_version":3,"name":"x","version":"v1"}', /version/],
  ])('refuses %s', (text, problem) => expect(parseExtensionManifest(text)).toHaveProperty('problem', expect.stringMatching(problem)));
});

describe('extension keys and ids', () => {
  it('keys live under the project', () => {
    expect(extensionArtifactKey('p1', 'e1')).toBe('projects/p1/extensions/e1.zip');
    expect(() => extensionArtifactKey('p1', '../e')).toThrow(/extensionId/);
  });
  it('ids are UUIDs', () => {
    expect(isExtensionId('0b1e0b6e-9d5b-4c1a-8f7e-1c2d3e4f5a6b')).toBe(true);
    expect(isExtensionId('ext-1')).toBe(false);
  });
});

describe('an extension from its events', () => {
  const uploaded = { id: 'e1', type: 'ExtensionUploaded' as const, version: 1 as const, occurredAt: '2026-01-01T00:00:00.000Z', metadata: { correlationId: 'c' }, data: { extensionId: 'x', projectId: 'p', fileName: 'f.zip', root: '', key: 'k', bytes: 1, sha256: 'a'.repeat(64) } };
  const deleted = { id: 'e2', type: 'ExtensionDeleted' as const, version: 1 as const, occurredAt: '2026-01-02T00:00:00.000Z', metadata: { correlationId: 'c' }, data: { extensionId: 'x', projectId: 'p' } };
  it('is usable by its own project until deleted', () => {
    const state = foldExtension([uploaded]);
    expect(usableExtension(state, 'p')).toMatchObject({ id: 'x', fileName: 'f.zip', createdAt: uploaded.occurredAt });
    expect(usableExtension(state, 'other')).toBeUndefined();
    expect(usableExtension(foldExtension([uploaded, deleted]), 'p')).toBeUndefined();
    expect(foldExtension([])).toEqual({ kind: 'absent' });
  });
});
