import { signingKeyFor, verifySigningKey } from './signing-key.js';
import { PublicUrls } from './public-urls.js';

const SECRET = 'a-signing-secret-of-some-length';

describe('signing keys', () => {
  it('round-trips to the session id', () => {
    const key = signingKeyFor(SECRET, 'session-123');
    expect(key).toMatch(/^session-123\.[A-Za-z0-9_-]{43}$/);
    expect(verifySigningKey(SECRET, key)).toBe('session-123');
  });

  it('is deterministic per session and different across sessions', () => {
    expect(signingKeyFor(SECRET, 's1')).toBe(signingKeyFor(SECRET, 's1'));
    expect(signingKeyFor(SECRET, 's1').split('.')[1]).not.toBe(signingKeyFor(SECRET, 's2').split('.')[1]);
  });

  it.each([
    ['another secret', signingKeyFor('another-secret-entirely', 's1')],
    ['another session id with the same mac', `s2.${signingKeyFor(SECRET, 's1').split('.')[1]}`],
    ['a truncated mac', signingKeyFor(SECRET, 's1').slice(0, -2)],
    ['no mac', 's1.'],
    ['no dot', 's1'],
    ['only a mac', `.${signingKeyFor(SECRET, 's1').split('.')[1]}`],
    ['garbage', '%%%.***'],
    ['empty', ''],
  ])('refuses %s', (_what, key) => {
    expect(verifySigningKey(SECRET, key)).toBeUndefined();
  });
});

describe('PublicUrls', () => {
  it('derives http and ws URLs from the bind address', () => {
    const urls = new PublicUrls({ host: '127.0.0.1', port: 3000 }, SECRET);
    const info = urls.connectInfo('s1');
    expect(info).toEqual({
      connectUrl: `ws://127.0.0.1:3000/?signingKey=${encodeURIComponent(signingKeyFor(SECRET, 's1'))}`,
      seleniumRemoteUrl: 'http://127.0.0.1:3000/webdriver',
      signingKey: signingKeyFor(SECRET, 's1'),
    });
    expect(urls.connectPath).toBe('/');
  });

  it('uses wss for an https public URL and keeps its path prefix', () => {
    const urls = new PublicUrls({ publicUrl: 'https://browsers.example.com/hangar/', host: '0.0.0.0', port: 3000 }, SECRET);
    const info = urls.connectInfo('s1');
    expect(info.connectUrl).toBe(`wss://browsers.example.com/hangar/?signingKey=${encodeURIComponent(info.signingKey)}`);
    expect(info.seleniumRemoteUrl).toBe('https://browsers.example.com/hangar/webdriver');
    expect(urls.connectPath).toBe('/hangar/');
  });

  it('never hands out a wildcard bind address, and learns the real port', () => {
    const urls = new PublicUrls({ host: '0.0.0.0', port: 0 }, SECRET);
    urls.listeningOn(41234);
    expect(urls.http).toBe('http://127.0.0.1:41234');
    expect(urls.ws).toBe('ws://127.0.0.1:41234');
  });

  it('brackets an IPv6 host', () => {
    expect(new PublicUrls({ host: '::1', port: 80 }, SECRET).http).toBe('http://[::1]');
  });
});
