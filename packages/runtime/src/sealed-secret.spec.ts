import { isSealed, openSecret, sealSecret } from './sealed-secret.js';

const SECRET = 'an-internal-secret-of-the-stack';

describe('sealed secrets', () => {
  it('opens what it sealed, and never shows the plaintext', () => {
    const sealed = sealSecret(SECRET, 's3cret:with@chars');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('s3cret');
    expect(openSecret(SECRET, sealed)).toBe('s3cret:with@chars');
    // A fresh IV each time: the same password seals differently.
    expect(sealSecret(SECRET, 's3cret:with@chars')).not.toBe(sealed);
  });

  it('refuses a value sealed under another secret, altered, or not sealed', () => {
    const sealed = sealSecret(SECRET, 'pw');
    expect(() => openSecret('another-internal-secret-value', sealed)).toThrow();
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => openSecret(SECRET, flipped)).toThrow();
    expect(() => openSecret(SECRET, 'pw')).toThrow('not a sealed value');
    expect(() => openSecret(SECRET, 'sealed:v1:abc')).toThrow('too short');
  });
});
