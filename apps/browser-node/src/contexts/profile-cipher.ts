import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * A stored profile at rest: `HGRCTX1\n`, a 12-byte random IV, the AES-256-GCM ciphertext of
 * the profile's tar, and GCM's 16-byte tag. The object's artifact key is the additional data, so
 * an object copied under another context's key (or another save's) fails to open. Authenticated:
 * a flipped bit, a truncated object or another key fails at the end of the stream, and the
 * restore that read it is undone (profile-restore.ts).
 *
 * The SDK's `cipherAlgorithm: "AES-256-CBC"` describes client uploads, which Hangar does not take
 * (docs/contexts.md); at rest Hangar uses GCM because CBC would not detect tampering.
 */
const MAGIC = Buffer.from('HGRCTX1\n');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SEALED_OVERHEAD_BYTES = MAGIC.length + IV_BYTES + TAG_BYTES;

export class ProfileSealBroken extends Error {}

/** HANGAR_CONTEXT_KEY: 32 bytes, as 64 hex digits or base64 / base64url. */
export function parseContextKey(text: string): Buffer | undefined {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  return key.length === 32 ? key : undefined;
}

export function sealProfile(key: Buffer, objectKey: string): Transform {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(objectKey));
  let headed = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (!headed) {
        headed = true;
        this.push(Buffer.concat([MAGIC, iv]));
      }
      done(null, cipher.update(chunk));
    },
    flush(done: TransformCallback) {
      if (!headed) this.push(Buffer.concat([MAGIC, iv]));
      this.push(cipher.final());
      done(null, cipher.getAuthTag());
    },
  });
}

/** The plain tar of a sealed object; errors at the end when the tag does not match. */
export function openProfile(key: Buffer, objectKey: string): Transform {
  let head = Buffer.alloc(0);
  let decipher: DecipherGCM | undefined;
  // GCM's tag is the last 16 bytes: whatever could be it is held back until the next chunk.
  let tail = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (!decipher) {
        head = Buffer.concat([head, chunk]);
        if (head.length < MAGIC.length + IV_BYTES) return done();
        if (!head.subarray(0, MAGIC.length).equals(MAGIC)) return done(new ProfileSealBroken('not a sealed Hangar profile'));
        decipher = createDecipheriv('aes-256-gcm', key, head.subarray(MAGIC.length, MAGIC.length + IV_BYTES)).setAAD(Buffer.from(objectKey));
        chunk = head.subarray(MAGIC.length + IV_BYTES);
      }
      const all = tail.length ? Buffer.concat([tail, chunk]) : chunk;
      const cut = Math.max(0, all.length - TAG_BYTES);
      tail = Buffer.from(all.subarray(cut));
      done(null, cut > 0 ? decipher.update(all.subarray(0, cut)) : undefined);
    },
    flush(done: TransformCallback) {
      if (!decipher || tail.length < TAG_BYTES) return done(new ProfileSealBroken('the sealed profile is truncated'));
      try {
        decipher.setAuthTag(tail);
        done(null, decipher.final());
      } catch {
        done(new ProfileSealBroken('the sealed profile does not open with this node\'s HANGAR_CONTEXT_KEY (altered, or sealed with another key)'));
      }
    },
  });
}
