import { mintInternalToken, verifyInternalToken } from './internal-token.js';

const SECRET = 'an-internal-secret-for-tests';
const claims = { purpose: 'cdp', sessionId: 'session-a' } as const;
const now = Date.UTC(2030, 0, 1);

describe('internal tokens', () => {
  it('verifies a fresh token for its purpose and session', () => {
    expect(verifyInternalToken(SECRET, mintInternalToken(SECRET, claims, { nowMs: now }), claims, now)).toEqual({ ok: true });
  });

  it('refuses a missing, malformed, forged or differently keyed token', () => {
    const good = mintInternalToken(SECRET, claims, { nowMs: now });
    const [payload, sig] = good.split('.') as [string, string];
    // The first character carries six bits of the MAC (the last one carries padding bits too).
    const flipped = `${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    expect(verifyInternalToken(SECRET, undefined, claims, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyInternalToken(SECRET, 'no-dot-here', claims, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyInternalToken(SECRET, `${payload}.${flipped}`, claims, now)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyInternalToken(SECRET, `${payload}.`, claims, now)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyInternalToken(SECRET, mintInternalToken('another-secret-value', claims, { nowMs: now }), claims, now)).toEqual({ ok: false, reason: 'forged' });
    // A payload edited to name another session no longer matches its MAC.
    const other = Buffer.from(JSON.stringify({ p: 'cdp', s: 'session-b', e: now / 1000 + 30 })).toString('base64url');
    expect(verifyInternalToken(SECRET, `${other}.${sig}`, { ...claims, sessionId: 'session-b' }, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('expires after its time to live', () => {
    const token = mintInternalToken(SECRET, claims, { nowMs: now, ttlSeconds: 5 });
    expect(verifyInternalToken(SECRET, token, claims, now + 4_999)).toEqual({ ok: true });
    expect(verifyInternalToken(SECRET, token, claims, now + 5_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('names one session and one purpose', () => {
    const token = mintInternalToken(SECRET, claims, { nowMs: now });
    expect(verifyInternalToken(SECRET, token, { ...claims, sessionId: 'session-b' }, now)).toEqual({ ok: false, reason: 'wrong-session' });
    expect(verifyInternalToken(SECRET, token, { ...claims, purpose: 'live-view' }, now)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });
});
