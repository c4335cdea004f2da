import { z } from 'zod';
import { openToken, signToken } from './signed-token.js';

/**
 * Short-lived tokens for Hangar's internal hops (gateway → node today): proof that the caller
 * holds `HANGAR_INTERNAL_SECRET`, for one purpose and one session, for a few seconds. A node's port
 * is reachable from the same host as the browsers (a tenant's own page can open a WebSocket to
 * 127.0.0.1), so "it came to the internal port" proves nothing.
 *
 * `<base64url(payload JSON)>.<base64url(HMAC-SHA256(secret, "hangar-internal-v1." + payload))>`.
 * Stateless: any node sharing the secret verifies it without a lookup. A token is minted per
 * connection, so a short expiry costs nothing and a leaked one is soon worthless.
 */
export type InternalPurpose = 'cdp' | 'live-view' | 'webdriver' | 'downloads' | 'uploads';

export interface InternalClaims {
  purpose: InternalPurpose;
  sessionId: string;
}

export type TokenCheck = { ok: true } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong-purpose' | 'wrong-session' };

/** The header the gateway adds to a forwarded upgrade (and drops when a client sends it). */
export const INTERNAL_TOKEN_HEADER = 'x-hangar-internal-token';

/** Long enough for a slow resolve and some clock skew between hosts; short enough to be useless once leaked. */
export const INTERNAL_TOKEN_TTL_SECONDS = 30;

/** Both ends of an internal path require it; never the same value as the signing secret. */
export const internalSecretEnv = {
  HANGAR_INTERNAL_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }),
};

// Domain separation: a MAC made for anything else with the same secret never verifies here.
const DOMAIN = 'hangar-internal-v1';

const payloadSchema = z.object({ p: z.string(), s: z.string(), e: z.number().int() });

export function mintInternalToken(secret: string, claims: InternalClaims, options: { nowMs?: number; ttlSeconds?: number } = {}): string {
  const exp = Math.floor((options.nowMs ?? Date.now()) / 1000) + (options.ttlSeconds ?? INTERNAL_TOKEN_TTL_SECONDS);
  return signToken(secret, DOMAIN, { p: claims.purpose, s: claims.sessionId, e: exp });
}

export function verifyInternalToken(secret: string, token: string | undefined, expected: InternalClaims, nowMs = Date.now()): TokenCheck {
  const opened = openToken(secret, DOMAIN, token, payloadSchema);
  if (!opened.ok) return opened;
  const { claims } = opened;
  if (claims.e * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  if (claims.p !== expected.purpose) return { ok: false, reason: 'wrong-purpose' };
  if (claims.s !== expected.sessionId) return { ok: false, reason: 'wrong-session' };
  return { ok: true };
}
