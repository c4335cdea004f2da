import { createHmac, timingSafeEqual } from 'node:crypto';

const mac = (secret: string, sessionId: string) => createHmac('sha256', secret).update(sessionId).digest();

/**
 * `<sessionId>.<base64url(HMAC-SHA256(secret, sessionId))>`: stateless, so any gateway replica
 * sharing the secret verifies it without a lookup, and it names one session only. It is not the
 * API key: a connectUrl handed to a browser tool cannot be used to create or list sessions.
 */
export function signingKeyFor(secret: string, sessionId: string): string {
  return `${sessionId}.${mac(secret, sessionId).toString('base64url')}`;
}

/** The session a key was issued for, or undefined when the key is malformed or forged. */
export function verifySigningKey(secret: string, key: string): string | undefined {
  const dot = key.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const sessionId = key.slice(0, dot);
  const given = Buffer.from(key.slice(dot + 1), 'base64url');
  const expected = mac(secret, sessionId);
  // Equal lengths first: timingSafeEqual throws on a mismatch, and the length is not secret.
  if (given.length !== expected.length) return undefined;
  return timingSafeEqual(given, expected) ? sessionId : undefined;
}
