import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { NatsConnection } from '@nats-io/transport-node';
import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { checkArtifactKey, checkArtifactPrefix, type ArtifactBody, type ArtifactEntry, type ArtifactStore, type PutOptions, type StoredArtifact } from '../artifact-store.js';
import { MeasuredBody } from '../measured-body.js';
import { readAll } from '../read-all.js';

export interface NatsArtifactStoreOptions {
  /** The Object Store bucket (a JetStream stream `OBJ_<bucket>`), created when missing. */
  readonly bucket: string;
  /** Copies in a JetStream cluster; an existing bucket keeps its own. */
  readonly replicas?: number;
}

/**
 * Artifacts in the JetStream Object Store of the NATS every Hangar service already talks to:
 * across hosts with nothing new to operate. An object is chunked into the bucket's stream and
 * only becomes visible with its final meta message, so a put that fails (a cap, a lost
 * connection) leaves nothing a reader can see; the client purges its chunks.
 */
export class NatsArtifactStore implements ArtifactStore {
  readonly kind = 'nats';

  private constructor(private readonly os: ObjectStore) {}

  static async open(nc: NatsConnection, { bucket, replicas = 1 }: NatsArtifactStoreOptions): Promise<NatsArtifactStore> {
    const os = await new Objm(nc).create(bucket, { storage: StorageType.File, replicas });
    return new NatsArtifactStore(os);
  }

  async put(key: string, body: ArtifactBody, options: PutOptions = {}): Promise<StoredArtifact> {
    checkArtifactKey(key);
    const measured = MeasuredBody.of(key, body, options.maxBytes);
    // A failed body fails the put; the client then purges what it had sent of this object.
    await this.os.put({ name: key }, Readable.toWeb(measured) as unknown as ReadableStream<Uint8Array>);
    return { key, bytes: measured.bytes, sha256: measured.sha256() };
  }

  async get(key: string): Promise<Buffer | undefined> {
    return readAll(await this.stream(key));
  }

  async stream(key: string): Promise<Readable | undefined> {
    checkArtifactKey(key);
    const result = await this.os.get(key);
    if (!result) return undefined;
    const readable = Readable.fromWeb(result.data as unknown as WebReadableStream<Uint8Array>);
    // A digest mismatch or a chunk that never came is reported here, after the data: the reader
    // sees an error, not a short file.
    void result.error.then((err) => {
      if (err) readable.destroy(err);
    });
    return readable;
  }

  async list(prefix: string): Promise<ArtifactEntry[]> {
    checkArtifactPrefix(prefix);
    const infos = await this.os.list();
    return infos
      .filter((info) => !info.deleted && info.name.startsWith(prefix))
      .map((info) => ({ key: info.name, bytes: info.size }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    checkArtifactKey(key);
    const info = await this.os.info(key);
    if (info && !info.deleted) await this.os.delete(key);
  }

  async close(): Promise<void> {
    // The connection is the caller's.
  }
}
