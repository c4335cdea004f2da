import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

/**
 * `<base64url(payload JSON)>.<base64url(HMAC-SHA256(secret, domain + "." + payload))>`: the one
 * format of Hangar's stateless tokens (the internal gateway → node token, the view tokens of live
 * view and replay). `domain` separates them: a MAC made for one never verifies as another, even
 * under the same secret. Callers check what the claims mean (expiry, session, scope).
 */
const mac = (secret: string, domain: string, payload: string) => createHmac('sha256', secret).update(`${domain}.${payload}`).digest();

export function signToken(secret: string, domain: string, claims: object): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, domain, payload).toString('base64url')}`;
}

export type OpenedToken<T> = { ok: true; claims: T } | { ok: false; reason: 'malformed' | 'forged' };

/** The claims of a token this secret signed for this domain, parsed by `schema`; or why not. */
export function openToken<S extends z.ZodType>(secret: string, domain: string, token: unknown, schema: S): OpenedToken<z.infer<S>> {
  if (typeof token !== 'string') return { ok: false, reason: 'malformed' };
  const dot = token.indexOf('.');
  if (dot <= 0) return { ok: false, reason: 'malformed' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const wanted = mac(secret, domain, payload);
  // Equal lengths first: timingSafeEqual throws on a mismatch, and the length is not secret.
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, reason: 'forged' };
  try {
    return { ok: true, claims: schema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
