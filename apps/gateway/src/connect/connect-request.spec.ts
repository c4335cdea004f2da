import { parseConnectRequest, upstreamTarget } from './connect-request.js';

describe('parseConnectRequest', () => {
  it.each([
    ['/?signingKey=abc.def', { kind: 'signingKey', signingKey: 'abc.def' }],
    ['/?apiKey=k&sessionId=s', { kind: 'apiKey', apiKey: 'k', sessionId: 's' }],
    ['/?apiKey=k', { kind: 'apiKey', apiKey: 'k' }],
    ['/?apiKey=k&sessionId=', { kind: 'apiKey', apiKey: 'k' }],
    ['?signingKey=x', { kind: 'signingKey', signingKey: 'x' }],
    ['/?signingKey=x&apiKey=k', { kind: 'signingKey', signingKey: 'x' }],
    ['/hangar/?signingKey=x', { kind: 'signingKey', signingKey: 'x' }],
  ])('%s', (url, credentials) => {
    expect(parseConnectRequest(url, '/hangar/')).toEqual({ ok: true, credentials });
  });

  it('refuses without credentials (401) and on another path (404)', () => {
    expect(parseConnectRequest('/', '/')).toMatchObject({ ok: false, status: 401 });
    expect(parseConnectRequest('/?signingKey=', '/')).toMatchObject({ ok: false, status: 401 });
    expect(parseConnectRequest('/devtools/browser/1?signingKey=x', '/')).toMatchObject({ ok: false, status: 404 });
    expect(parseConnectRequest('//evil.example/?signingKey=x', '/')).toMatchObject({ ok: false, status: 404 });
  });
});

describe('upstreamTarget', () => {
  it('splits a node endpoint', () => {
    expect(upstreamTarget('ws://10.0.0.5:9222/sessions/abc')).toEqual({ host: '10.0.0.5', port: 9222, path: '/sessions/abc' });
    expect(upstreamTarget('ws://node:80/sessions/abc?x=1')).toEqual({ host: 'node', port: 80, path: '/sessions/abc?x=1' });
    expect(upstreamTarget('ws://[::1]:9000/s')).toEqual({ host: '::1', port: 9000, path: '/s' });
  });

  it('refuses what it cannot dial', () => {
    expect(upstreamTarget('not a url')).toBeUndefined();
    expect(upstreamTarget('wss://node:443/s')).toBeUndefined();
  });
});
