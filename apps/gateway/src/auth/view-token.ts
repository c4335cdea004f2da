import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

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
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`hangar-view-v1.${payload}`).digest();

export function mintViewToken(secret: string, claims: ViewClaims): string {
  const payload = Buffer.from(JSON.stringify({ s: claims.sessionId, p: claims.projectId, c: claims.scope, e: claims.exp })).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export type ViewTokenCheck = { ok: true; claims: ViewClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong-session' | 'wrong-scope' };

/**
 * `scopes`: what the route accepts (the interactive live view accepts `live` only; its view-only
 * variant `live` and `live-readonly`).
 */
export function verifyViewToken(secret: string, token: unknown, expected: { sessionId: string; scopes: readonly ViewScope[] }, nowMs = Date.now()): ViewTokenCheck {
  if (typeof token !== 'string') return { ok: false, reason: 'malformed' };
  const dot = token.indexOf('.');
  if (dot <= 0) return { ok: false, reason: 'malformed' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const wanted = mac(secret, payload);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, reason: 'forged' };
  let parsed: z.infer<typeof payloadSchema>;
  try {
    parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.e * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  if (parsed.s !== expected.sessionId) return { ok: false, reason: 'wrong-session' };
  if (!expected.scopes.includes(parsed.c)) return { ok: false, reason: 'wrong-scope' };
  return { ok: true, claims: { sessionId: parsed.s, projectId: parsed.p, scope: parsed.c, exp: parsed.e } };
}
