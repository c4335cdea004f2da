import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('forgets entries after the ttl', () => {
    let now = 0;
    const cache = new TtlCache<string>(100, 10, () => now);
    cache.set('k', 'v');
    now = 99;
    expect(cache.get('k')).toBe('v');
    now = 100;
    expect(cache.get('k')).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entry', () => {
    const cache = new TtlCache<number>(1000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('a zero ttl caches nothing', () => {
    const cache = new TtlCache<number>(0);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });
});
