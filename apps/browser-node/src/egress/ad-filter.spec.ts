import { adRequestType, AdFilter } from './ad-filter.js';

// The real engine on the list the node ships (assets/filters/easylist.txt).
describe('AdFilter', () => {
  let filter: AdFilter;
  let second: AdFilter;
  beforeAll(async () => {
    [filter, second] = await Promise.all([AdFilter.load(), AdFilter.load()]);
  });

  it('is parsed once per process, however many callers ask at once', async () => {
    expect(second).toBe(filter);
    await expect(AdFilter.load()).resolves.toBe(filter);
  });

  it('blocks ad servers and names the filter as the list writes it', () => {
    expect(filter.blocks('https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js', 'script', 'https://news.example/')).toBe('||pagead2.googlesyndication.com^');
    // The filter's own line, domain list and all (not `domain=<hashed>`, what the engine prints without debug).
    expect(filter.blocks('https://news.example/wp-ads-manager/a.js', 'script', 'https://news.example/')).toBe('-ads-manager/$domain=~wordpress.org');
  });

  it('blocks ad paths on any host, loopback included (the paths test/identity-site.ts serves on /ads)', () => {
    const ads = 'http://127.0.0.1:8080/ads';
    expect(filter.blocks('http://127.0.0.1:8080/banners/300x250.gif', 'image', ads)).toBe('/300x250.$image');
    expect(filter.blocks('http://127.0.0.1:8080/js/flyad.js', 'script', ads)).toBe('/js/flyad.js');
    expect(filter.blocks('http://127.0.0.1:8080/img/160x600.gif', 'image', ads)).toBe('/160x600.');
    // `$image` only: the same path as a script goes through.
    expect(filter.blocks('http://127.0.0.1:8080/banners/300x250.gif', 'script', ads)).toBeUndefined();
    expect(filter.blocks('http://127.0.0.1:8080/images/logo.gif', 'image', ads)).toBeUndefined();
  });

  it("lets a page's own resources through, and trackers, which are EasyPrivacy's and not shipped", () => {
    expect(filter.blocks('https://news.example/app.js', 'script', 'https://news.example/')).toBeUndefined();
    expect(filter.blocks('https://news.example/', 'main_frame', undefined)).toBeUndefined();
    expect(filter.blocks('https://www.google-analytics.com/analytics.js', 'script', 'https://news.example/')).toBeUndefined();
  });

  it('never throws on odd input', () => {
    expect(filter.blocks('not a url', 'script', 'also not')).toBeUndefined();
    expect(filter.blocks('', 'nonsense', undefined)).toBeUndefined();
    expect(filter.blocks('data:image/gif;base64,R0lGODlhAQABAAAAACw=', 'image', undefined)).toBeUndefined();
    expect(filter.blocks(null as unknown as string, 'script', undefined)).toBeUndefined();
  });
});

describe('adRequestType', () => {
  it("maps CDP's resource types to the engine's", () => {
    expect(adRequestType('Document', true)).toBe('main_frame');
    expect(adRequestType('Document', false)).toBe('sub_frame');
    expect(adRequestType('XHR', false)).toBe('xmlhttprequest');
    expect(adRequestType('Fetch', false)).toBe('fetch');
    expect(adRequestType('WebSocket', false)).toBe('websocket');
    expect(adRequestType('EventSource', false)).toBe('other');
    expect(adRequestType('constructor', false)).toBe('other');
    expect(adRequestType(undefined, true)).toBe('other');
  });
});
