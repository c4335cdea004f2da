import { useGatewayFixture, errorBody } from '../testing/gateway-fixture.js';

const f = useGatewayFixture();

describe('authentication', () => {
  it.each([
    ['GET', '/v1/sessions'],
    ['POST', '/v1/sessions'],
    ['GET', '/v1/sessions/abc'],
    ['POST', '/v1/sessions/abc'],
    ['GET', '/v1/projects'],
    ['GET', '/v1/projects/x/usage'],
  ])('%s %s without X-BB-API-Key is 401', async (method, path) => {
    const res = await f.anon(method, path, method === 'POST' ? { body: {} } : {});
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorBody(401, 'Unauthorized', 'the X-BB-API-Key header is required'));
  });

  it('an unknown key is 401', async () => {
    const res = await f.anon('GET', '/v1/sessions', { headers: { 'x-bb-api-key': 'hgr_not_a_key' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorBody(401, 'Unauthorized', 'the API key in X-BB-API-Key is not valid'));
  });

  it('the header name is case-insensitive', async () => {
    const res = await f.anon('GET', '/v1/projects', { headers: { 'X-BB-API-KEY': f.a.apiKey } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['POST', '/v1/sessions', { body: { projectId: 'someone-else' } }],
    ['POST', '/v1/sessions/abc', { body: { status: 'REQUEST_RELEASE', projectId: 'someone-else' } }],
    ['GET', '/v1/sessions?projectId=someone-else', {}],
  ] as const)('%s %s naming another project is 403', async (method, path, options) => {
    const res = await f.callA(method, path, options);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorBody(403, 'Forbidden', 'projectId does not match the project of the API key'));
  });

  it('naming its own project is fine', async () => {
    const res = await f.callA('GET', `/v1/sessions?projectId=${f.a.projectId}`);
    expect(res.status).toBe(200);
  });
});

describe('errors a client can cause are 4xx with the error body, never 500', () => {
  it('malformed JSON is 400', async () => {
    const res = await f.callA('POST', '/v1/sessions', { rawBody: '{"timeout": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody(400, 'Bad Request', /not valid JSON/));
  });

  it('a body over the limit is 413', async () => {
    const res = await f.callA('POST', '/v1/sessions', { body: { userMetadata: { pad: 'x'.repeat(8000) } } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(errorBody(413, 'Payload Too Large', /larger than/));
  });

  it('an unknown route is 404', async () => {
    const res = await f.callA('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody(404, 'Not Found', 'Cannot GET /v1/nothing-here'));
  });

  it.each([
    ['DELETE', '/v1/sessions/abc'],
    ['PATCH', '/v1/sessions/abc'],
    ['PUT', '/v1/sessions'],
  ])('wrong method %s %s is 404 or 405', async (method, path) => {
    const res = await f.callA(method, path);
    expect([404, 405]).toContain(res.status);
    expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String), message: expect.any(String) });
  });

  it('a URL with broken percent-encoding is 400 in the API error shape', async () => {
    const res = await f.callA('GET', '/v1/sessions/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody(400, 'Bad Request', /URL is not valid/));
  });

  it('a form body is 415', async () => {
    const res = await f.callA('POST', '/v1/sessions', { rawBody: 'timeout=60', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
  });

  it.each<[string, string | undefined]>([
    ['text/plain', 'hello'],
    ['application/json', 'null'],
    ['application/json', '[]'],
    ['application/json', '"text"'],
    ['application/json', '42'],
    ['application/json', '{"__proto__": {"polluted": true}}'],
    ['application/json', '{"constructor": {"prototype": {"x": 1}}}'],
    ['application/json', '\u0000'],
    ['application/octet-stream', '\u00ff\u00fe'],
    ['application/json; charset=latin1', '{}}'],
  ])('POST /v1/sessions with %s %j is a 4xx', async (contentType, rawBody) => {
    const res = await f.callA('POST', '/v1/sessions', { ...(rawBody !== undefined ? { rawBody } : {}), headers: { 'content-type': contentType } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String), message: expect.any(String) });
  });

  it('an invalid session id is simply not found', async () => {
    for (const id of ['a.b', 'x*', '%3E', 'x'.repeat(129)]) {
      const res = await f.callA('GET', `/v1/sessions/${id}`);
      expect(res.status).toBe(404);
    }
  });

  it('an absurdly long path parameter is 414 in the API error shape', async () => {
    const res = await f.callA('GET', `/v1/sessions/${'x'.repeat(600)}`);
    expect(res.status).toBe(414);
    expect(res.body).toEqual(errorBody(414, 'URI Too Long', /.+/));
  });

  it.each([
    ['status=running', 'status must be one of PENDING, RUNNING, ERROR, TIMED_OUT, COMPLETED'],
    ['status=RUNNING&status=ERROR', 'status must be given at most once'],
    ['q=metadata.a=b', /^q must look like user_metadata/],
    ["q=user_metadata['a']", /^q must look like user_metadata/],
    ["q=user_metadata['a']:'b' extra", /^q must look like user_metadata/],
  ])('GET /v1/sessions?%s is 400 naming the parameter', async (query, message) => {
    const res = await f.callA('GET', `/v1/sessions?${query.replaceAll("'", '%27').replaceAll(' ', '%20')}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody(400, 'Bad Request', message));
  });
});

describe('POST /v1/sessions body validation', () => {
  it.each<[unknown, string | RegExp]>([
    [{ timeout: 59 }, 'timeout must be an integer between 60 and 21600'],
    [{ timeout: 21601 }, 'timeout must be an integer between 60 and 21600'],
    [{ timeout: 90.5 }, 'timeout must be an integer between 60 and 21600'],
    [{ timeout: '120' }, 'timeout must be an integer between 60 and 21600'],
    [{ region: 'mars-1' }, 'region must be one of us-west-2, us-east-1, eu-central-1, ap-southeast-1'],
    [{ keepAlive: 'yes' }, 'keepAlive must be a boolean'],
    [{ extensionId: 7 }, 'extensionId must be a string'],
    [{ userMetadata: { tags: ['a'] } }, 'userMetadata must be a JSON object whose values are strings, numbers, booleans, null or nested objects (arrays are not allowed)'],
    [{ userMetadata: [] }, 'userMetadata must be a JSON object whose values are strings, numbers, booleans, null or nested objects (arrays are not allowed)'],
    [{ userMetadata: { big: 'x'.repeat(520) } }, 'userMetadata must serialize to fewer than 512 characters of JSON'],
    [{ proxies: 'yes' }, 'proxies must be true, false or an array of proxy configurations'],
    [{ proxies: [{ type: 'tor' }] }, 'proxies[0].type must be one of browserbase, external, none'],
    [{ proxies: [{ type: 'none' }, { type: 'external' }] }, 'proxies[1].server is required'],
    [{ proxies: [{ type: 'browserbase', geolocation: { country: 'USA' } }] }, 'proxies[0].geolocation.country must be a two-letter ISO 3166-1 country code'],
    [{ proxies: [{ type: 'browserbase', geolocation: { country: 'ZZ' } }] }, 'proxies[0].geolocation.country must be a two-letter ISO 3166-1 country code'],
    [{ proxies: [{ type: 'browserbase', geolocation: { country: 'DE', state: 'NY' } }] }, 'proxies[0].geolocation.state is only for country US'],
    [{ proxies: [{ type: 'browserbase', geolocation: { country: 'US', state: 'QQ' } }] }, 'proxies[0].geolocation.state must be a two-letter US state code'],
    [{ proxies: [{ type: 'external', server: 'not a url' }] }, 'proxies[0].server must be a proxy URL such as http://host:port (http, https, socks, socks4, socks4a, socks5, socks5h), without a path'],
    [{ proxies: [{ type: 'external', server: 'http://proxy.test:8080/some/path' }] }, /^proxies\[0\]\.server must be a proxy URL/],
    [{ proxies: [{ type: 'none', domainPattern: '.*\\.gov' }] }, /^proxies\[0\]\.domainPattern must be a host name \(example\.com\), \*\.example\.com/],
    [{ proxies: [{ type: 'browserbase', geolocation: { country: 'FR' } }] }, /^proxies\[0\]\.geolocation has no proxy in this Hangar's pool/],
    [{ proxySettings: { caCertificates: 'x' } }, 'proxySettings.caCertificates must be an array'],
    [{ browserSettings: 'fast' }, 'browserSettings must be an object'],
    [{ browserSettings: { viewport: { width: 0, height: 600 } } }, 'browserSettings.viewport.width must be a positive integer no greater than 16384'],
    [{ browserSettings: { viewport: { width: 800, height: 600.5 } } }, 'browserSettings.viewport.height must be a positive integer no greater than 16384'],
    [{ browserSettings: { context: { persist: true } } }, 'browserSettings.context.id is required'],
    [{ browserSettings: { os: 'beos' } }, 'browserSettings.os must be one of windows, mac, linux, mobile, tablet'],
    [{ browserSettings: { allowedDomains: 'example.com' } }, 'browserSettings.allowedDomains must be an array of domains'],
    [{ browserSettings: { allowedDomains: ['example.com', 'https://example.org/'] } }, /^browserSettings\.allowedDomains\[1\] must be a domain \(example\.com: it and its subdomains\)/],
    [{ browserSettings: { allowedDomains: [''] } }, /^browserSettings\.allowedDomains\[0\] must be a domain/],
    [{ browserSettings: { blockAds: 1 } }, 'browserSettings.blockAds must be a boolean'],
  ])('%j → 400 %s', async (body, message) => {
    const res = await f.callA('POST', '/v1/sessions', { body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody(400, 'Bad Request', message));
  });

  it('reports every bad field at once', async () => {
    const res = await f.callA('POST', '/v1/sessions', { body: { timeout: 1, region: 'x' } });
    expect(res.body.message).toBe(
      'timeout must be an integer between 60 and 21600; region must be one of us-west-2, us-east-1, eu-central-1, ap-southeast-1',
    );
  });
});

