import { proxyConfigSchema, proxySettingSchema } from '@hangar/contracts';
import { z } from 'zod';
import { parseProxyPool } from './proxy-pool.js';
import { compileProxyRules, matchesDomainPattern, routeFor, upstreamUrl, type ProxyPoolEntry } from './proxy-routes.js';

const pool: ProxyPoolEntry[] = [
  { url: 'http://a:1@127.0.0.1:9001', country: 'US', state: 'CA', city: 'San Francisco' },
  { url: 'http://127.0.0.1:9002', country: 'US', state: 'NY' },
  { url: 'http://127.0.0.1:9003', country: 'DE' },
];

describe('domain patterns', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['example.com', 'EXAMPLE.com.', true],
    ['example.com', 'www.example.com', false],
    ['*.example.com', 'www.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'badexample.com', false],
    ['.example.com', 'example.com', true],
    ['.example.com', 'x.example.com', true],
    ['.example.com', 'notexample.com', false],
    ['*', 'anything.test', true],
  ])('%s against %s: %s', (pattern, host, expected) => expect(matchesDomainPattern(pattern, host)).toBe(expected));
});

describe('proxy rules', () => {
  it('takes the first rule that matches; a rule without a pattern matches every host; no match goes direct', () => {
    const compiled = compileProxyRules(
      [
        { type: 'none', domainPattern: '*.internal.test' },
        { type: 'external', server: 'http://127.0.0.1:8000', username: 'u@x', password: 'p:w', domainPattern: 'Shop.Test' },
        { type: 'external', server: 'socks5://127.0.0.1:1080/' },
      ],
      [],
      's1',
    );
    if (!compiled.ok) throw new Error(compiled.message);
    expect(routeFor(compiled.rules, 'a.internal.test')).toEqual({ kind: 'direct' });
    expect(routeFor(compiled.rules, 'shop.test')).toEqual({ kind: 'upstream', url: 'http://u%40x:p%3Aw@127.0.0.1:8000', via: 'external' });
    expect(routeFor(compiled.rules, 'other.test')).toEqual({ kind: 'upstream', url: 'socks5://127.0.0.1:1080', via: 'external' });
    expect(routeFor(compileProxyRules([{ type: 'none', domainPattern: 'a.test' }], [], 's').ok ? [] : [], 'x')).toEqual({ kind: 'direct' });
  });

  it('false or absent: no rules, every host direct', () => {
    expect(compileProxyRules(undefined, pool, 's')).toEqual({ ok: true, rules: [] });
    expect(compileProxyRules(false, pool, 's')).toEqual({ ok: true, rules: [] });
  });

  it('true and browserbase take an upstream of the pool, by geolocation, the same one for the same session', () => {
    const all = compileProxyRules(true, pool, 'session-1');
    expect(all.ok && all.rules[0]!.route.kind === 'upstream' && pool.map((e) => e.url).includes(all.rules[0]!.route.url)).toBe(true);
    expect(compileProxyRules(true, pool, 'session-1')).toEqual(all);
    const sf = compileProxyRules([{ type: 'browserbase', geolocation: { country: 'us', state: 'ca', city: 'SANFRANCISCO' } }], pool, 's');
    expect(sf.ok && sf.rules[0]!.route).toEqual({ kind: 'upstream', url: 'http://a:1@127.0.0.1:9001', via: 'pool' });
    const de = compileProxyRules([{ type: 'browserbase', geolocation: { country: 'DE' }, domainPattern: '*.de' }], pool, 's');
    expect(de.ok && de.rules[0]).toEqual({ pattern: '*.de', route: { kind: 'upstream', url: 'http://127.0.0.1:9003', via: 'pool' } });
  });

  it('refuses a pool rule with no pool, or with no upstream for its geolocation, naming the field', () => {
    expect(compileProxyRules(true, [], 's')).toMatchObject({ ok: false, field: 'proxies', message: expect.stringMatching(/HANGAR_PROXY_POOL/) });
    expect(compileProxyRules([{ type: 'none' }, { type: 'browserbase' }], [], 's')).toMatchObject({ ok: false, field: 'proxies' });
    expect(compileProxyRules([{ type: 'none' }, { type: 'browserbase', geolocation: { country: 'FR' } }], pool, 's')).toMatchObject({ ok: false, field: 'proxies[1].geolocation' });
  });

  it('puts separate credentials into the upstream URL, and they win over the URL\'s own', () => {
    expect(upstreamUrl('http://old:old@h:1', 'new', 'p w')).toBe('http://new:p%20w@h:1');
    expect(upstreamUrl('https://h:1')).toBe('https://h:1');
  });
});

describe('the proxies wire shape', () => {
  // The array's own issues (the gateway's 400 digs the same out of the union: sessions-input.int.spec).
  const problem = (value: unknown) => {
    const r = (value === true ? proxySettingSchema : z.array(proxyConfigSchema)).safeParse(value);
    return r.success ? undefined : `${r.error.issues[0]!.path.join('.')} ${r.error.issues[0]!.message}`;
  };
  it.each([
    [[{ type: 'external', server: 'not a url' }], /^0.server must be a proxy URL/],
    [[{ type: 'external', server: 'ftp://h:1' }], /^0.server must be a proxy URL/],
    [[{ type: 'external', server: 'http://h:1/path' }], /^0.server must be a proxy URL/],
    [[{ type: 'external' }], /^0.server is required/],
    [[{ type: 'tor' }], /^0.type must be one of/],
    [[{ type: 'browserbase', geolocation: { country: 'ZZ' } }], /^0.geolocation.country must be a two-letter ISO 3166-1/],
    [[{ type: 'browserbase', geolocation: { country: 'USA' } }], /^0.geolocation.country/],
    [[{ type: 'browserbase', geolocation: { country: 'DE', state: 'CA' } }], /^0.geolocation.state is only for country US/],
    [[{ type: 'browserbase', geolocation: { country: 'US', state: 'XX' } }], /^0.geolocation.state must be a two-letter US state/],
    [[{ type: 'none', domainPattern: '.*' }], /^0.domainPattern must be a host name/],
    [[{ type: 'none', domainPattern: 'a b.com' }], /^0.domainPattern/],
  ])('%j is refused', (value, message) => expect(problem(value)).toMatch(message));

  it.each([
    [true],
    [[{ type: 'external', server: 'http://u:p@127.0.0.1:8080', domainPattern: '*.example.com' }]],
    [[{ type: 'browserbase', geolocation: { country: 'us', state: 'NY', city: 'New York' } }]],
    [[{ type: 'none', domainPattern: '.example.co.uk' }, { type: 'external', server: 'socks5h://127.0.0.1:1080' }]],
  ])('%j is accepted', (value) => expect(problem(value)).toBeUndefined());
});

describe('HANGAR_PROXY_POOL', () => {
  it('reads a JSON array of labelled upstreams; unset or empty is no pool', () => {
    expect(parseProxyPool(undefined)).toEqual([]);
    expect(parseProxyPool(' ')).toEqual([]);
    expect(parseProxyPool('[{"url":"http://u:p@10.0.0.1:3128","country":"US","state":"CA"}]')).toEqual([{ url: 'http://u:p@10.0.0.1:3128', country: 'US', state: 'CA' }]);
  });
  it('names the entry and the rule', () => {
    expect(() => parseProxyPool('nope')).toThrow(/JSON array/);
    expect(() => parseProxyPool('[{"url":"nope"}]')).toThrow(/HANGAR_PROXY_POOL\[0.url\] must be a proxy URL/);
  });
});
