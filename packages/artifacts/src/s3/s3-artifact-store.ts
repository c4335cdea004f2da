import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checkArtifactKey, checkArtifactPrefix, type ArtifactBody, type ArtifactEntry, type ArtifactStore, type PutOptions, type StoredArtifact } from '../artifact-store.js';
import { MeasuredBody } from '../measured-body.js';
import { readAll } from '../read-all.js';

export interface S3ArtifactStoreOptions {
  readonly bucket: string;
  /** Keys are stored under this prefix (e.g. `hangar/`), so one bucket can serve several things. */
  readonly keyPrefix?: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2 …); AWS when unset. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers want. */
  readonly forcePathStyle?: boolean;
}

/**
 * Artifacts in S3 or any S3-compatible store, for operators who run one. Puts stream through
 * `@aws-sdk/lib-storage` (a multipart upload past 5 MB, never the whole body in memory); a put
 * that fails aborts its multipart upload, so no partial object is ever visible.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3';

  private constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly keyPrefix: string,
  ) {}

  static async open(options: S3ArtifactStoreOptions): Promise<S3ArtifactStore> {
    const config: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? true,
      // Checksums only where the API requires them: S3-compatible servers differ in which of
      // the newer flexible checksums (and aws-chunked bodies) they understand.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
    };
    const s3 = new S3Client(config);
    try {
      await s3.send(new HeadBucketCommand({ Bucket: options.bucket }));
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw err;
      try {
        await s3.send(new CreateBucketCommand({ Bucket: options.bucket }));
      } catch (createErr) {
        // Every service opens the store at boot, so several create the missing bucket at once;
        // the losers hear that it exists (s3rver says BucketAlreadyExists even to its owner).
        // Ours if we can reach it; anyone else's stays an error.
        const name = (createErr as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw createErr;
        await s3.send(new HeadBucketCommand({ Bucket: options.bucket }));
      }
    }
    return new S3ArtifactStore(s3, options.bucket, options.keyPrefix ?? '');
  }

  private objectKey(key: string): string {
    return this.keyPrefix + checkArtifactKey(key);
  }

  async put(key: string, body: ArtifactBody, options: PutOptions = {}): Promise<StoredArtifact> {
    const measured = MeasuredBody.of(key, body, options.maxBytes);
    const upload = new Upload({ client: this.s3, params: { Bucket: this.bucket, Key: this.objectKey(key), Body: measured }, leavePartsOnError: false });
    await upload.done();
    return { key, bytes: measured.bytes, sha256: measured.sha256() };
  }

  async get(key: string): Promise<Buffer | undefined> {
    return readAll(await this.stream(key));
  }

  async stream(key: string): Promise<Readable | undefined> {
    try {
      const answer = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return answer.Body as Readable;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<ArtifactEntry[]> {
    checkArtifactPrefix(prefix);
    const entries: ArtifactEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyPrefix + prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) entries.push({ key: object.Key.slice(this.keyPrefix.length), bytes: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async close(): Promise<void> {
    this.s3.destroy();
  }
}
