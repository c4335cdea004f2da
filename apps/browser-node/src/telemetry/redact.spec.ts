import { REDACTED, redactHeaders, redactRaw } from './redact.js';

describe('redactHeaders', () => {
  it('replaces credential header values in header objects, case-insensitively, at any depth', () => {
    const params = {
      request: { url: 'http://a/', headers: { Cookie: 'sid=1', AUTHORIZATION: 'Bearer x', Accept: 'text/html', 'Proxy-Authorization': 'Basic y' } },
      response: { headers: { 'set-cookie': 'a=b', 'content-type': 'text/html' } },
    };
    expect(redactHeaders(params)).toEqual({
      request: { url: 'http://a/', headers: { Cookie: REDACTED, AUTHORIZATION: REDACTED, Accept: 'text/html', 'Proxy-Authorization': REDACTED } },
      response: { headers: { 'set-cookie': REDACTED, 'content-type': 'text/html' } },
    });
    // The input is left as it was.
    expect(params.request.headers.Cookie).toBe('sid=1');
  });

  it('replaces values of {name, value} header entries', () => {
    expect(redactHeaders({ headers: [{ name: 'Cookie', value: 'a=1' }, { name: 'X-Ok', value: 'v' }] })).toEqual({
      headers: [{ name: 'Cookie', value: REDACTED }, { name: 'X-Ok', value: 'v' }],
    });
  });

  it('replaces the values of cookie objects (Network.setCookies, getCookies answers)', () => {
    expect(redactHeaders({ cookies: [{ name: 'sid', value: 's3cret', domain: 'a.test', path: '/' }] })).toEqual({
      cookies: [{ name: 'sid', value: REDACTED, domain: 'a.test', path: '/' }],
    });
    expect(redactHeaders({ name: 'sid', value: 's3cret', url: 'http://a.test/' })).toEqual({ name: 'sid', value: REDACTED, url: 'http://a.test/' });
  });

  it('stops at a depth limit instead of recursing without end', () => {
    let deep: Record<string, unknown> = { cookie: 'x' };
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(() => redactHeaders(deep)).not.toThrow();
  });
});

describe('redactRaw', () => {
  it('re-serializes redacted JSON, so escaped spellings of a header name are caught too', () => {
    const raw = '{"id":1,"method":"Network.setExtraHTTPHeaders","params":{"headers":{"\\u0043ookie":"secret"}}}';
    const { rawBody, parsed } = redactRaw(raw);
    expect(rawBody).not.toContain('secret');
    expect(parsed).toEqual({ id: 1, method: 'Network.setExtraHTTPHeaders', params: { headers: { Cookie: REDACTED } } });
  });

  it('keeps only the length of text that is not JSON', () => {
    expect(redactRaw('not json cookie=1').rawBody).toBe('[17 characters, not JSON]');
  });
});
