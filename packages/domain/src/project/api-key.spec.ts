import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key.js';

describe('api keys', () => {
  it('are stored as the hex SHA-256 of the key', () => {
    // The digest every read model and ApiKeyIssued event already holds: another would lock every key out.
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey('hgr_test')).toBe('c448020bf8438bff5a85e4264861d131e1481ce229e214b06ded3f0e4195b019');
  });

  it('are generated fresh, with the hgr_ prefix, and tell apart by their first 8 characters', () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    expect(a).toMatch(/^hgr_[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
    expect(apiKeyPrefix(a)).toBe(a.slice(0, 8));
    expect(apiKeyPrefix(a)).toMatch(/^hgr_/);
  });
});
