import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * A tenant's secret that must travel through Hangar's own logs (a proxy password in
 * SessionRequested, read back by the node that launches the browser), sealed so that the event
 * stream, its backups and anyone reading NATS see only ciphertext. Sealed by the gateway, opened
 * by a node: both hold `HANGAR_INTERNAL_SECRET`, from which the key is derived for this purpose
 * alone (HKDF-SHA256), so the secret's other use (internal tokens) never shares a key with it.
 *
 * `sealed:v1:<base64url(iv 12 | tag 16 | AES-256-GCM ciphertext)>`. Rotating the internal secret
 * makes sessions requested before it fail to open their proxies (their start is refused, naming
 * the field), never fall back to anything.
 */
const PREFIX = 'sealed:v1:';
const INFO = 'hangar-sealed-secret-v1';

const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = Buffer.from(hkdfSync('sha256', secret, 'hangar', INFO, 32))));
  return key;
}

export function sealSecret(secret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export const isSealed = (value: string): boolean => value.startsWith(PREFIX);

/** The plaintext; throws when the value was altered or sealed under another secret. */
export function openSecret(secret: string, sealed: string): string {
  if (!isSealed(sealed)) throw new Error('not a sealed value');
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
  if (raw.length < 28) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
