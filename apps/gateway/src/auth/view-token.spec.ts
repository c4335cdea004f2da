import { signingKeyFor, verifySigningKey } from '../connect/signing-key.js';
import { mintViewToken, verifyViewToken } from './view-token.js';

const secret = 'a-signing-secret-of-some-length';
const now = Date.UTC(2026, 0, 1);
const claims = { sessionId: 's1', projectId: 'p1', scope: 'live' as const, exp: now / 1000 + 60 };

describe('view tokens', () => {
  it('verifies for its session and scope until it expires', () => {
    const token = mintViewToken(secret, claims);
    expect(verifyViewToken(secret, token, { sessionId: 's1', scopes: ['live'] }, now)).toEqual({ ok: true, claims });
    expect(verifyViewToken(secret, token, { sessionId: 's1', scopes: ['live'] }, now + 60_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyViewToken(secret, token, { sessionId: 's2', scopes: ['live'] }, now)).toEqual({ ok: false, reason: 'wrong-session' });
    expect(verifyViewToken(secret, token, { sessionId: 's1', scopes: ['replay'] }, now)).toEqual({ ok: false, reason: 'wrong-scope' });
  });

  it('refuses a forged, altered or malformed token, and is never a signing key', () => {
    const token = mintViewToken(secret, claims);
    expect(verifyViewToken('another-secret-of-some-length', token, { sessionId: 's1', scopes: ['live'] }, now).ok).toBe(false);
    const [payload, sig] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ s: 's1', p: 'p1', c: 'live', e: claims.exp + 9999 })).toString('base64url');
    expect(verifyViewToken(secret, `${widened}.${sig}`, { sessionId: 's1', scopes: ['live'] }, now)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyViewToken(secret, payload, { sessionId: 's1', scopes: ['live'] }, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyViewToken(secret, undefined, { sessionId: 's1', scopes: ['live'] }, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySigningKey(secret, token)).toBeUndefined();
    expect(verifyViewToken(secret, signingKeyFor(secret, 's1'), { sessionId: 's1', scopes: ['live'] }, now).ok).toBe(false);
  });
});
