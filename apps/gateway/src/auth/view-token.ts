import { z } from 'zod';
import { openToken, signToken } from '@hangar/runtime';

/**
 * The token in every URL Hangar hands out for a person's browser rather than a client: the live
 * view (`GET /v1/sessions/:id/debug`) and the replay page. A browser opening a URL cannot send
 * `X-BB-API-Key`, so the URL carries its own proof: one session, one scope, an expiry.
 *
 * `<base64url(payload JSON)>.<base64url(HMAC-SHA256(signing secret, "hangar-view-v1." + payload))>`.
 * The prefix keeps it apart from the signing keys made with the same secret (HMAC of a bare
 * session id, which has no dot): neither verifies as the other. Stateless, so any gateway replica
 * verifies it; it cannot be revoked early, hence expiries are short and bounded (≤ 6 h).
 */
export const VIEW_SCOPES = ['live', 'live-readonly', 'replay'] as const;
export type ViewScope = (typeof VIEW_SCOPES)[number];

export interface ViewClaims {
  readonly sessionId: string;
  readonly projectId: string;
  readonly scope: ViewScope;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/** As Browserbase documents for `expiresIn`: at most 6 hours. */
export const MAX_VIEW_TOKEN_SECONDS = 21_600;

const payloadSchema = z.object({ s: z.string(), p: z.string(), c: z.enum(VIEW_SCOPES), e: z.number().int() });
const DOMAIN = 'hangar-view-v1';

export function mintViewToken(secret: string, claims: ViewClaims): string {
  return signToken(secret, DOMAIN, { s: claims.sessionId, p: claims.projectId, c: claims.scope, e: claims.exp });
}

export type ViewTokenCheck = { ok: true; claims: ViewClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong-session' | 'wrong-scope' };

/**
 * `scopes`: what the route accepts (the interactive live view accepts `live` only; its view-only
 * variant `live` and `live-readonly`).
 */
export function verifyViewToken(secret: string, token: unknown, expected: { sessionId: string; scopes: readonly ViewScope[] }, nowMs = Date.now()): ViewTokenCheck {
  const opened = openToken(secret, DOMAIN, token, payloadSchema);
  if (!opened.ok) return opened;
  const parsed = opened.claims;
  if (parsed.e * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  if (parsed.s !== expected.sessionId) return { ok: false, reason: 'wrong-session' };
  if (!expected.scopes.includes(parsed.c)) return { ok: false, reason: 'wrong-scope' };
  return { ok: true, claims: { sessionId: parsed.s, projectId: parsed.p, scope: parsed.c, exp: parsed.e } };
}
