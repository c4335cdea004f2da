import type { Readable } from 'node:stream';

/** What a put stored: the facts the domain log records about an artifact (`SessionArtifactStored`). */
export interface StoredArtifact {
  readonly key: string;
  readonly bytes: number;
  /** Hex SHA-256 of the stored bytes. */
  readonly sha256: string;
}

export interface ArtifactEntry {
  readonly key: string;
  readonly bytes: number;
}

/** What a put takes: bytes in hand, or a stream that is read once and never held whole. */
export type ArtifactBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /**
   * The most bytes this artifact may have. A body past it is refused with ArtifactTooLarge
   * after reading at most `maxBytes + 1` bytes, and nothing of it stays in the store.
   */
  readonly maxBytes?: number;
}

/**
 * Where what a session leaves behind is kept: recordings, logs, downloads, later contexts and
 * extensions. The node that made a file and the gateway that serves it need not share a disk,
 * so every implementation but the folder one works across hosts. Keys are checked by
 * `checkArtifactKey` in every implementation: no key names anything outside the store.
 *
 * A put is all or nothing: a reader sees the whole artifact or none of it, also when the put
 * fails half-way (a cap, a dropped connection, a killed process).
 */
export interface ArtifactStore {
  /** A short name for logs and metrics: `fs`, `nats`, `s3`. */
  readonly kind: string;
  put(key: string, body: ArtifactBody, options?: PutOptions): Promise<StoredArtifact>;
  /** The whole artifact; undefined when there is none. For large ones, prefer `stream`. */
  get(key: string): Promise<Buffer | undefined>;
  stream(key: string): Promise<Readable | undefined>;
  /** Every artifact whose key starts with `prefix` (a key prefix, e.g. `sessions/<id>/`), in key order. */
  list(prefix: string): Promise<ArtifactEntry[]>;
  /** Removes the artifact; nothing happens when there is none. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export class ArtifactTooLarge extends Error {
  constructor(
    readonly key: string,
    readonly maxBytes: number,
  ) {
    super(`artifact ${key} is larger than ${maxBytes} bytes`);
    this.name = 'ArtifactTooLarge';
  }
}

export class InvalidArtifactKey extends Error {
  constructor(
    readonly key: string,
    rule: string,
  ) {
    super(`invalid artifact key ${JSON.stringify(key.slice(0, 80))}: ${rule}`);
    this.name = 'InvalidArtifactKey';
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_ARTIFACT_KEY_LENGTH = 512;

/**
 * Keys are `/`-separated segments of letters, digits, `.`, `_` and `-`, none starting with a
 * dot or a dash: no `..`, no absolute path, no empty segment, no NUL, no backslash. The folder
 * store maps them to paths under its root as they are; the others take them as object names.
 */
export function checkArtifactKey(key: string): string {
  if (key.length === 0) throw new InvalidArtifactKey(key, 'empty');
  if (key.length > MAX_ARTIFACT_KEY_LENGTH) throw new InvalidArtifactKey(key, `longer than ${MAX_ARTIFACT_KEY_LENGTH} characters`);
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) throw new InvalidArtifactKey(key, 'each /-separated segment is letters, digits, ".", "_" or "-", not starting with "." or "-"');
  }
  return key;
}

/** A list prefix: a key, or a key followed by `/`, or nothing (everything). */
export function checkArtifactPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkArtifactKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
