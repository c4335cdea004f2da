import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { ArtifactTooLarge, type ArtifactBody } from './artifact-store.js';

/**
 * A put's body as one stream that counts and hashes what passes and fails with ArtifactTooLarge
 * the moment the count passes `maxBytes` — the store then throws the partial object away. Every
 * implementation reads its body through this, so a cap and a digest mean the same everywhere.
 */
export class MeasuredBody extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(
    private readonly key: string,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    super();
  }

  static of(key: string, body: ArtifactBody, maxBytes?: number): MeasuredBody {
    const measured = new MeasuredBody(key, maxBytes);
    const source = body instanceof Uint8Array ? Readable.from([body]) : body instanceof Readable ? body : Readable.from(body);
    // Either side failing ends both: a refused body is not read to its end.
    pipeline(source, measured, () => undefined);
    return measured;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(new ArtifactTooLarge(this.key, this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Hex SHA-256 of everything that passed; call once the stream has ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
