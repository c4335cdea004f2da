import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * A stored profile at rest, sealed with AES-256-GCM under the operator's HANGAR_CONTEXT_KEY, the
 * object's artifact key bound in (an object copied under another context's key, or another
 * save's, fails to open). Two layouts:
 *
 * - `HGRCTX2\n` (what saves write): a 16-byte random salt, then the tar in chunks of 64 KiB, each
 *   sealed on its own (its ciphertext and a 16-byte tag) with a key derived for this object
 *   (HKDF-SHA256 of the operator's key, the salt and the object's key) and a nonce that counts
 *   the chunks and marks the last one, which is always shorter than a whole chunk (the STREAM
 *   construction). Every byte the opener hands on has been authenticated, so a restore can start
 *   the browser on the first part while it writes the rest; a reordered, dropped or altered chunk
 *   fails at that chunk, a cut object at its end.
 * - `HGRCTX1\n` (profiles saved before): a 12-byte IV, one GCM ciphertext, its tag; authenticated
 *   only at the end, so nothing of it is used until then.
 *
 * The SDK's `cipherAlgorithm: "AES-256-CBC"` describes client uploads, which Hangar does not take
 * (docs/contexts.md); at rest Hangar uses GCM because CBC would not detect tampering.
 */
const MAGIC_V1 = Buffer.from('HGRCTX1\n');
const MAGIC_V2 = Buffer.from('HGRCTX2\n');
const IV_BYTES = 12;
const SALT_BYTES = 16;
const TAG_BYTES = 16;
const CHUNK_BYTES = 64 * 1024;
const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;

/** The most bytes a sealed object of `plainBytes` of tar takes. */
export function sealedBytesFor(plainBytes: number): number {
  return MAGIC_V2.length + SALT_BYTES + (Math.floor(plainBytes / CHUNK_BYTES) + 1) * TAG_BYTES + plainBytes;
}

export class ProfileSealBroken extends Error {}

/** HANGAR_CONTEXT_KEY: 32 bytes, as 64 hex digits or base64 / base64url. */
export function parseContextKey(text: string): Buffer | undefined {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  return key.length === 32 ? key : undefined;
}

export function sealProfile(key: Buffer, objectKey: string): Transform {
  const salt = randomBytes(SALT_BYTES);
  const chunks = new ChunkCipher(key, salt, objectKey);
  let held: Buffer[] = [];
  let heldBytes = 0;
  let headed = false;
  const head = (push: (b: Buffer) => void) => {
    if (headed) return;
    headed = true;
    push(Buffer.concat([MAGIC_V2, salt]));
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      head((b) => this.push(b));
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes < CHUNK_BYTES) return done();
      const all = Buffer.concat(held, heldBytes);
      let at = 0;
      for (; all.length - at >= CHUNK_BYTES; at += CHUNK_BYTES) this.push(chunks.seal(all.subarray(at, at + CHUNK_BYTES), false));
      held = at < all.length ? [all.subarray(at)] : [];
      heldBytes = all.length - at;
      done();
    },
    flush(done: TransformCallback) {
      head((b) => this.push(b));
      done(null, chunks.seal(Buffer.concat(held, heldBytes), true));
    },
  });
}

/** One object's chunk keys and nonces (v2): nonce = 11-byte big-endian chunk number, then 1 on the last chunk. */
class ChunkCipher {
  private readonly key: Buffer;
  private readonly aad: Buffer;
  private counter = 0n;

  constructor(operatorKey: Buffer, salt: Buffer, objectKey: string) {
    this.aad = Buffer.from(objectKey);
    this.key = Buffer.from(hkdfSync('sha256', operatorKey, salt, Buffer.concat([Buffer.from('hangar context profile v2\0'), this.aad]), 32));
  }

  seal(plain: Buffer, last: boolean): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.key, this.nonce(last)).setAAD(this.aad);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }

  /** The chunk's plaintext; throws when it was not sealed here, at this place, with this "last" mark. */
  open(sealed: Buffer, last: boolean): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.key, this.nonce(last)).setAAD(this.aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  }

  private nonce(last: boolean): Buffer {
    const nonce = Buffer.alloc(12);
    nonce.writeBigUInt64BE(this.counter++, 3);
    nonce[11] = last ? 1 : 0;
    return nonce;
  }
}

const BROKEN = "the sealed profile does not open with this node's HANGAR_CONTEXT_KEY (altered, or sealed with another key)";

/**
 * The plain tar of a sealed object. `verified` says whether every byte handed on so far is
 * authenticated: always for v2 (chunk by chunk), only at the end for v1. Errors where a chunk
 * fails (v2) or at the end (v1, or a cut object).
 */
export class ProfileOpener extends Transform {
  private version: 1 | 2 | undefined;
  private head = Buffer.alloc(0);
  private v1: DecipherGCM | undefined;
  private chunks: ChunkCipher | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;

  constructor(
    private readonly key: Buffer,
    private readonly objectKey: string,
  ) {
    super();
  }

  get verified(): boolean {
    return this.version === 2 || this.ended;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      if (!this.version) {
        this.head = Buffer.concat([this.head, chunk]);
        if (this.head.length < MAGIC_V2.length + Math.max(IV_BYTES, SALT_BYTES)) return done();
        const magic = this.head.subarray(0, MAGIC_V2.length);
        if (magic.equals(MAGIC_V2)) {
          this.version = 2;
          this.chunks = new ChunkCipher(this.key, this.head.subarray(MAGIC_V2.length, MAGIC_V2.length + SALT_BYTES), this.objectKey);
          chunk = this.head.subarray(MAGIC_V2.length + SALT_BYTES);
        } else if (magic.equals(MAGIC_V1)) {
          this.version = 1;
          this.v1 = createDecipheriv('aes-256-gcm', this.key, this.head.subarray(MAGIC_V1.length, MAGIC_V1.length + IV_BYTES)).setAAD(Buffer.from(this.objectKey));
          chunk = this.head.subarray(MAGIC_V1.length + IV_BYTES);
        } else {
          return done(new ProfileSealBroken('not a sealed Hangar profile'));
        }
      }
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // v2: a whole sealed chunk is never the last one; v1: whatever could be the tag is held back.
      const keep = this.version === 2 ? SEALED_CHUNK_BYTES - 1 : TAG_BYTES;
      if (this.pendingBytes <= keep) return done();
      const all = Buffer.concat(this.pending, this.pendingBytes);
      let at = 0;
      if (this.version === 2) {
        for (; all.length - at > keep; at += SEALED_CHUNK_BYTES) this.push(this.openChunk(all.subarray(at, at + SEALED_CHUNK_BYTES), false));
      } else {
        at = all.length - keep;
        this.push(this.v1!.update(all.subarray(0, at)));
      }
      this.pending = [Buffer.from(all.subarray(at))];
      this.pendingBytes = all.length - at;
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    const rest = Buffer.concat(this.pending, this.pendingBytes);
    if (!this.version || rest.length < TAG_BYTES) return done(new ProfileSealBroken('the sealed profile is truncated'));
    try {
      if (this.version === 2) {
        const last = this.openChunk(rest, true);
        this.ended = true;
        return done(null, last);
      }
      this.v1!.setAuthTag(rest);
      const last = this.v1!.final();
      this.ended = true;
      done(null, last);
    } catch (err) {
      done(err instanceof ProfileSealBroken ? err : new ProfileSealBroken(BROKEN));
    }
  }

  private openChunk(sealed: Buffer, last: boolean): Buffer {
    try {
      return this.chunks!.open(sealed, last);
    } catch {
      throw new ProfileSealBroken(BROKEN);
    }
  }
}

/** The plain tar of a sealed object (ProfileOpener). */
export function openProfile(key: Buffer, objectKey: string): ProfileOpener {
  return new ProfileOpener(key, objectKey);
}
