import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GUARDED, guardFor } from './guarded-methods.js';
import { decide, type Decision } from './message.decider.js';

let root: string;
let folders: { uploadsDir: string; downloadsDir: string };
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hangar-guard-spec-'));
  folders = { uploadsDir: path.join(root, 'uploads'), downloadsDir: path.join(root, 'downloads') };
  mkdirSync(path.join(folders.uploadsDir, 'sub'), { recursive: true });
  mkdirSync(folders.downloadsDir);
  writeFileSync(path.join(folders.uploadsDir, 'report.pdf'), 'pdf');
  symlinkSync('/etc', path.join(folders.uploadsDir, 'etc-link'));
  symlinkSync('/etc/hostname', path.join(folders.uploadsDir, 'hostname-link'));
  symlinkSync(path.join(folders.uploadsDir, 'report.pdf'), path.join(folders.uploadsDir, 'sub', 'inner-link'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const json = (message: unknown) => Buffer.from(JSON.stringify(message));
const run = (payload: Buffer | string, binary = false) => decide(typeof payload === 'string' ? Buffer.from(payload) : payload, binary, folders);
const call = (method: string, params?: unknown, extra: Record<string, unknown> = {}) => run(json({ id: 7, method, ...(params === undefined ? {} : { params }), ...extra }));

function forwarded(d: Decision): unknown {
  if (d.kind !== 'rewrite') throw new Error(`expected a rewrite, got ${JSON.stringify(d)}`);
  return JSON.parse(d.payload.toString());
}

function refusedWith(d: Decision): { answer: unknown; why: string } {
  if (d.kind !== 'refuse') throw new Error(`expected a refusal, got ${d.kind === 'rewrite' ? d.payload.toString() : d.kind}`);
  return { answer: JSON.parse(d.answer), why: d.why };
}

describe('the fast path', () => {
  it.each([
    '{"id":1,"method":"Runtime.evaluate","params":{"expression":"1+1","returnByValue":true}}',
    ' \r\n\t{"id":2,"method":"Page.enable"}',
    '{"id":3,"method":"Runtime.evaluate","params":{"expression":"a\\"b\\\\c\\/d\\n"}}',
  ])('forwards %s untouched, without parsing', (payload) => {
    expect(run(payload)).toEqual({ kind: 'forward' });
  });

  it('even forwards invalid JSON when it cannot name a guarded method (Chromium answers it)', () => {
    expect(run('{"id":4,"method":"Browser.getVersion"} trailing')).toEqual({ kind: 'forward' });
  });
});

describe('refusals before any parsing', () => {
  it.each([
    ['a binary message', Buffer.from('{"id":1,"method":"Browser.getVersion"}'), true],
    ['CBOR', Buffer.from([0xd8, 0x5a, 0x00, 0x00, 0x00, 0x10, 0xbf]), false],
    ['a JSON array', Buffer.from('[{"id":1}]'), false],
    ['a BOM before the object', Buffer.from('\ufeff{"id":1,"method":"Browser.getVersion"}'), false],
    ['an empty message', Buffer.alloc(0), false],
    ['invalid UTF-8 (an overlong "E")', Buffer.concat([Buffer.from('{"id":1,"method":"'), Buffer.from([0xc1, 0x85]), Buffer.from('xtensions.loadUnpacked"}')]), false],
  ])('%s', (_what, payload, binary) => {
    const { answer } = refusedWith(run(payload, binary));
    expect(answer).toEqual({ error: { code: -32000, message: expect.stringMatching(/^Hangar refused a message: /) } });
  });
});

describe('the slow path', () => {
  it('refuses with the id and sessionId of the call, in a CDP error', () => {
    const { answer } = refusedWith(call('Extensions.loadUnpacked', { path: '/tmp/ext' }, { sessionId: 'S1' }));
    expect(answer).toEqual({ id: 7, sessionId: 'S1', error: { code: -32000, message: 'Hangar refused Extensions.loadUnpacked: extensions are installed through /v1/extensions' } });
  });

  it('lets Extensions.getExtensions through (Stagehand 4 finds its extension with it), and nothing else of the domain', () => {
    expect(call('Extensions.getExtensions', {}, { sessionId: 'S1' }).kind).not.toBe('refuse');
    expect(run('{"id":1,"method":"Extensions.getExtensions"}').kind).not.toBe('refuse');
    for (const method of ['Extensions.loadUnpacked', 'Extensions.uninstall', 'Extensions.setStorageItems', 'Extensions.getExtensionsX']) {
      expect(refusedWith(call(method, { id: 'x' })).why).toMatch(/extensions/);
    }
  });

  it('sees through \\u escapes anywhere in the method', () => {
    expect(refusedWith(run('{"id":1,"method":"\\u0045xtensions.loadUnpacked","params":{"path":"/"}}')).why).toMatch(/extensions/);
    expect(refusedWith(run('{"id":1,"\\u006dethod":"DOM.setFileInput\\u0046iles","params":{"files":["/etc/hostname"]}}')).why).toMatch(/outside/);
  });

  it('forwards exactly what it checked when keys are duplicated', () => {
    // JSON.parse keeps the last; Chromium sees one method, the one checked.
    expect(forwarded(run('{"id":1,"method":"Extensions.loadUnpacked","method":"Runtime.evaluate","params":{"expression":"1"}}'))).toEqual({
      id: 1,
      method: 'Runtime.evaluate',
      params: { expression: '1' },
    });
    expect(refusedWith(run('{"id":1,"method":"Runtime.evaluate","method":"Extensions.loadUnpacked"}')).why).toMatch(/extensions/);
    // Nested duplicates (which Chromium accepts) leave as the one value checked.
    const twice = '{"id":1,"method":"DOM.setFileInputFiles","params":{"files":["/etc/hostname"],"files":["report.pdf"],"backendNodeId":3}}';
    expect(forwarded(run(twice))).toEqual({ id: 1, method: 'DOM.setFileInputFiles', params: { files: [path.join(folders.uploadsDir, 'report.pdf')], backendNodeId: 3 } });
  });

  it('re-serializes a message that only mentions a needle, and refuses one that does not parse', () => {
    const message = { id: 1, method: 'Runtime.evaluate', params: { expression: '"Extensions.loadUnpacked \\u0041"' } };
    expect(forwarded(call(message.method, message.params))).toEqual({ ...message, id: 7 });
    expect(refusedWith(run('{"id":1,"method":"Extensions.loadUnpacked"} trailing')).why).toBe('a message must be valid JSON');
    expect(refusedWith(run('{"id":1,"method":"DOM.setFileInputFiles","params":[]}')).why).toBe('params must be an object');
  });

  it('never takes the fast path for any escaped spelling of a guarded method (fuzz, seeded)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');
    const escape = (s: string) => [...s].map((c) => (random() < 0.2 ? `\\u${random() < 0.5 ? hex(c) : hex(c).toUpperCase()}` : c)).join('');
    const methods = GUARDED.map((e) => (e.name.endsWith('.*') ? `${e.name.slice(0, -1)}anything` : e.name));
    for (let i = 0; i < 2_000; i++) {
      const method = methods[i % methods.length]!;
      const spelt = random() < 0.5 ? escape(method) : method;
      const key = random() < 0.3 ? escape('method') : 'method';
      const payload = random() < 0.5 ? `{"${key}":"${spelt}","id":${i}}` : `{"id":${i}, "params":{}, "${key}" : "${spelt}"}`;
      expect(JSON.parse(payload).method).toBe(method);
      expect(run(payload).kind).not.toBe('forward');
    }
  });
});

describe('file paths: only inside the uploads folder', () => {
  const files = (...list: string[]) => call('DOM.setFileInputFiles', { files: list, backendNodeId: 1 });
  const up = (...p: string[]) => path.join(folders.uploadsDir, ...p);

  it('rewrites relative and absolute paths inside the folder to absolute real paths', () => {
    expect(forwarded(files('report.pdf', up('sub'), 'sub/new.txt', 'sub/inner-link', './sub/../report.pdf'))).toEqual({
      id: 7,
      method: 'DOM.setFileInputFiles',
      params: { files: [up('report.pdf'), up('sub'), up('sub', 'new.txt'), up('report.pdf'), up('report.pdf')], backendNodeId: 1 },
    });
  });

  it.each([['/etc/hostname'], ['../downloads/x'], ['sub/../../x'], ['etc-link/passwd'], ['hostname-link'], ['/'], ['']])('refuses %s', (file) => {
    expect(refusedWith(files('report.pdf', file)).answer).toMatchObject({ id: 7, error: { message: expect.stringMatching(/^Hangar refused DOM.setFileInputFiles: /) } });
  });

  it('refuses a list that is not a list of paths', () => {
    expect(refusedWith(call('DOM.setFileInputFiles', { files: '/etc/hostname' })).why).toBe('files must be a list of paths');
    expect(refusedWith(call('DOM.setFileInputFiles', { files: [42] })).why).toBe('every file must be a non-empty path');
  });

  it('applies to dragged files and file choosers too', () => {
    const data = { items: [{ mimeType: 'text/plain', data: 'x' }], files: ['/etc/hostname'], dragOperationsMask: 1 };
    expect(refusedWith(call('Input.dispatchDragEvent', { type: 'drop', x: 1, y: 1, data })).why).toMatch(/outside/);
    expect(forwarded(call('Input.dispatchDragEvent', { type: 'drop', x: 1, y: 1, data: { ...data, files: ['report.pdf'] } }))).toMatchObject({ params: { data: { files: [up('report.pdf')], items: data.items } } });
    expect(forwarded(call('Input.dispatchDragEvent', { type: 'dragEnter', x: 1, y: 1, data: { items: [], dragOperationsMask: 1 } }))).toMatchObject({ params: { data: { items: [] } } });
    expect(refusedWith(call('Page.handleFileChooser', { action: 'accept', files: ['/etc/passwd'] })).why).toMatch(/outside/);
  });

  it('refuses everything when the uploads folder itself is a link', () => {
    const linked = { uploadsDir: path.join(root, 'linked-uploads'), downloadsDir: folders.downloadsDir };
    symlinkSync('/', linked.uploadsDir);
    expect(decide(json({ id: 1, method: 'DOM.setFileInputFiles', params: { files: ['etc/hostname'] } }), false, linked).kind).toBe('refuse');
  });
});

describe('downloads: always the session downloads folder', () => {
  it.each([['downloads'], ['/tmp/elsewhere'], ['../../..'], [undefined]])('Browser.setDownloadBehavior with downloadPath %s', (downloadPath) => {
    const params = { behavior: 'allow', browserContextId: 'C', eventsEnabled: true, downloadPath, somethingNew: '/x' };
    expect(forwarded(call('Browser.setDownloadBehavior', params))).toEqual({
      id: 7,
      method: 'Browser.setDownloadBehavior',
      params: { behavior: 'allow', browserContextId: 'C', eventsEnabled: true, downloadPath: folders.downloadsDir },
    });
  });

  it('Page.setDownloadBehavior too', () => {
    expect(forwarded(call('Page.setDownloadBehavior', { behavior: 'allow', downloadPath: '/root' }))).toMatchObject({ params: { behavior: 'allow', downloadPath: folders.downloadsDir } });
  });
});

describe('URLs', () => {
  it.each(['file:///etc/passwd', 'FILE:///etc/passwd', '  file:///etc/passwd', 'fi\tle:///etc/passwd', 'chrome://settings', 'chrome-untrusted://terminal', 'view-source:https://a.test', 'devtools://devtools/bundled/inspector.html', 'filesystem:https://a.test/temporary/x', 'javascript:alert(1)', 'about:version', 'not a url'])(
    'Page.navigate and Target.createTarget refuse %j',
    (url) => {
      expect(call('Page.navigate', { url }).kind).toBe('refuse');
      expect(call('Target.createTarget', { url }).kind).toBe('refuse');
    },
  );

  it.each(['https://example.com', 'http://127.0.0.1:8080/x', 'about:blank', 'about:blank#top', 'data:text/html,<p>hi', 'blob:https://a.test/8f3c', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/page.html'])('allows %j', (url) => {
    expect(forwarded(call('Page.navigate', { url }))).toEqual({ id: 7, method: 'Page.navigate', params: { url } });
    expect(call('Target.createTarget', { url }).kind).toBe('rewrite');
  });

  it('a new target without a URL is about:blank; navigating to history entries is left alone', () => {
    expect(call('Target.createTarget', { url: '' }).kind).toBe('rewrite');
    expect(call('Page.navigateToHistoryEntry', { entryId: 3 }).kind).toBe('rewrite');
  });

  it('network loads and request rewrites stay on http(s)', () => {
    expect(call('Network.loadNetworkResource', { frameId: 'F', url: 'file:///etc/passwd', options: {} }).kind).toBe('refuse');
    expect(call('Network.loadNetworkResource', { frameId: 'F', url: 'https://a.test/app.js.map', options: {} }).kind).toBe('rewrite');
    expect(call('Fetch.continueRequest', { requestId: 'R' }).kind).toBe('rewrite');
    expect(call('Fetch.continueRequest', { requestId: 'R', url: 'file:///etc/shadow' }).kind).toBe('refuse');
  });
});

describe('the table', () => {
  it('every entry contains its needle, so the fast path never skips one of its spellings', () => {
    for (const entry of GUARDED) expect([entry.name, entry.name.includes(entry.needle)]).toEqual([entry.name, true]);
  });

  it.each(['Extensions.loadUnpacked', 'Extensions.uninstall', 'PWA.install', 'PWA.launchFilesInApp', 'Target.sendMessageToTarget', 'Target.exposeDevToolsProtocol', 'Target.setRemoteLocations', 'Target.openDevTools'])('refuses %s outright', (method) => {
    expect(call(method, {}).kind).toBe('refuse');
  });

  it('matches methods exactly, as Chromium dispatches them', () => {
    expect(guardFor('extensions.loadUnpacked')).toBeUndefined();
    expect(guardFor('Extensions')).toBeUndefined();
    expect(guardFor('Target.attachToTarget')).toBeUndefined();
  });
});
