import { adRequestType, AdFilter } from './ad-filter.js';

describe('AdFilter (EasyList, shipped)', () => {
  let filter: AdFilter;
  beforeAll(async () => {
    filter = await AdFilter.load();
  });

  it('blocks ad hosts and ad paths, first-party or not, and names the filter', () => {
    expect(filter.blocks('https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js', 'script', 'https://news.example/')).toBe('||pagead2.googlesyndication.com^');
    // The paths the loopback test sites serve (test/identity-site.ts).
    expect(filter.blocks('http://127.0.0.1:8080/banners/300x250.gif', 'image', 'http://127.0.0.1:8080/ads')).toBe('/300x250.$image');
    expect(filter.blocks('http://127.0.0.1:8080/js/flyad.js', 'script', undefined)).toBe('/js/flyad.js');
    expect(filter.blocks('http://127.0.0.1:8080/img/160x600.gif', 'image', undefined)).toBe('/160x600.');
  });

  it('lets the page\'s own resources through, and never throws on odd input', () => {
    expect(filter.blocks('http://127.0.0.1:8080/images/logo.gif', 'image', 'http://127.0.0.1:8080/ads')).toBeUndefined();
    expect(filter.blocks('https://news.example/app.js', 'script', 'https://news.example/')).toBeUndefined();
    expect(filter.blocks('not a url', 'script', 'also not')).toBeUndefined();
    expect(filter.blocks('', 'nonsense', undefined)).toBeUndefined();
  });

  it('is parsed once per process', async () => {
    const [a, b] = await Promise.all([AdFilter.load(), AdFilter.load()]);
    expect(a).toBe(b);
    expect(a).toBe(filter);
  });

  it('maps CDP resource types to the engine\'s', () => {
    expect(adRequestType('Document', true)).toBe('main_frame');
    expect(adRequestType('Document', false)).toBe('sub_frame');
    expect(adRequestType('XHR', false)).toBe('xhr');
    expect(adRequestType(undefined, false)).toBe('other');
  });
});
