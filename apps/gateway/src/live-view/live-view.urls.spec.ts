import { isLivePath, pageUrls, parseExpiresIn, parseLiveHttpPath, parseLiveSocketPath, tokenExpiry } from './live-view.urls.js';

const T = 'A'.repeat(32);

describe('parseExpiresIn', () => {
  it('absent → until the session expires', () => expect(parseExpiresIn(undefined)).toEqual({ ok: true, seconds: undefined }));
  it.each(['1', '3600', '21600'])('accepts %s', (v) => expect(parseExpiresIn(v)).toEqual({ ok: true, seconds: Number(v) }));
  it.each(['0', '21601', '-5', '1.5', 'abc', '', '1e3', '9999999'])('refuses %j naming expiresIn and the rule', (v) => {
    expect(parseExpiresIn(v)).toEqual({ ok: false, message: 'expiresIn must be an integer number of seconds from 1 to 21600' });
  });
  it('refuses a repeated query parameter (an array)', () => expect(parseExpiresIn(['1', '2']).ok).toBe(false));
});

describe('tokenExpiry', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const nowS = now / 1000;
  it('expiresIn from now', () => expect(tokenExpiry(now, 60, '2026-01-01T05:00:00Z')).toBe(nowS + 60));
  it('defaults to the session expiry', () => expect(tokenExpiry(now, undefined, '2026-01-01T01:00:00Z')).toBe(nowS + 3600));
  it('never past 6 h', () => expect(tokenExpiry(now, undefined, '2026-01-02T00:00:00Z')).toBe(nowS + 21_600));
  it('a session without an expiry gets 6 h', () => expect(tokenExpiry(now, undefined, undefined)).toBe(nowS + 21_600));
});

describe('pageUrls', () => {
  it('puts every URL on the public base, token in the path, DevTools socket as ws=', () => {
    const urls = pageUrls({ http: 'http://127.0.0.1:3000', ws: 'ws://127.0.0.1:3000' }, 's1', 'p.m', T);
    expect(urls.debuggerFullscreenUrl).toBe(`http://127.0.0.1:3000/live/s1/p.m/page/${T}`);
    expect(urls.wsUrl).toBe(`ws://127.0.0.1:3000/live/s1/p.m/devtools/page/${T}`);
    expect(urls.debuggerUrl).toBe(`http://127.0.0.1:3000/live/s1/p.m/devtools/inspector.html?ws=${encodeURIComponent(`127.0.0.1:3000/live/s1/p.m/devtools/page/${T}`)}`);
  });

  it('uses wss= behind TLS and keeps a path prefix', () => {
    const urls = pageUrls({ http: 'https://h.example/hangar', ws: 'wss://h.example/hangar' }, 's1', 'p.m', T);
    expect(urls.debuggerUrl).toContain(`?wss=${encodeURIComponent('h.example/hangar/live/')}`);
    expect(urls.debuggerFullscreenUrl.startsWith('https://h.example/hangar/live/s1/')).toBe(true);
  });
});

describe('parseLiveSocketPath', () => {
  it('reads the viewer and DevTools sockets, with or without the public prefix', () => {
    expect(parseLiveSocketPath(`/live/s1/p.m/page/${T}/ws`, '/')).toEqual({ kind: 'viewer-socket', sessionId: 's1', token: 'p.m', targetId: T });
    expect(parseLiveSocketPath(`/hangar/live/s1/p.m/devtools/page/${T}?x=1`, '/hangar/')).toEqual({ kind: 'devtools-socket', sessionId: 's1', token: 'p.m', targetId: T });
  });

  it.each([`/live/s1/p.m/page/${T}`, `/live/s1/p.m/page/${T.toLowerCase()}/ws`, `/live/s1/nodot/page/${T}/ws`, `/live/s1/p.m/devtools/browser/${T}`, `/live/../p.m/page/${T}/ws`, '/live'])(
    'refuses %s',
    (path) => expect(parseLiveSocketPath(path, '/')).toBeUndefined(),
  );

  it('claims /live… for the live view and leaves connects alone', () => {
    expect(isLivePath('/live/x', '/')).toBe(true);
    expect(isLivePath('/?signingKey=abc', '/')).toBe(false);
    expect(isLivePath('/lively', '/')).toBe(false);
  });
});

describe('parseLiveHttpPath', () => {
  it('reads the viewer page and DevTools files', () => {
    expect(parseLiveHttpPath(`s1/p.m/page/${T}`)).toEqual({ kind: 'viewer', sessionId: 's1', token: 'p.m', targetId: T });
    expect(parseLiveHttpPath('s1/p.m/devtools/entrypoints/inspector/inspector.js')).toEqual({ kind: 'devtools', sessionId: 's1', token: 'p.m', file: 'entrypoints/inspector/inspector.js' });
  });

  it.each(['s1/p.m/devtools/../json/list', 's1/p.m/devtools/./x', 's1/p.m/devtools/a//b', 's1/p.m/devtools/', `s1/p.m/page/${T}/x`, 's1/p.m/json/list', 's1/p.m/devtools/.hidden'])('refuses %s', (rest) =>
    expect(parseLiveHttpPath(rest)).toBeUndefined(),
  );
});
