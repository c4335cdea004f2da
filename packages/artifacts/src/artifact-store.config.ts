import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { ArtifactStore } from './artifact-store.js';
import { FsArtifactStore } from './fs/fs-artifact-store.js';
import { NatsArtifactStore } from './nats/nats-artifact-store.js';
import { S3ArtifactStore } from './s3/s3-artifact-store.js';

/**
 * The artifact store's settings, the same for every service that opens it (the node writes,
 * the gateway reads): spread into a service's env schema.
 *
 * - `fs` (the default): files under `HANGAR_ARTIFACT_DIR`, for one host whose services share
 *   a disk (`npm start`).
 * - `nats`: the JetStream Object Store bucket `HANGAR_ARTIFACT_BUCKET` on the NATS every service
 *   already uses; across hosts, nothing new to run.
 * - `s3`: the bucket `HANGAR_ARTIFACT_BUCKET` of an S3-compatible store at `HANGAR_S3_ENDPOINT`
 *   (AWS when unset), keys under `HANGAR_S3_KEY_PREFIX`.
 */
export const artifactStoreEnv = {
  HANGAR_ARTIFACT_STORE: z.enum(['fs', 'nats', 's3']).default('fs'),
  HANGAR_ARTIFACT_DIR: z.string().min(1).optional(),
  HANGAR_ARTIFACT_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'lower-case letters, digits and "-", 3 to 63 characters (valid for S3 and NATS)')
    .default('hangar-artifacts'),
  HANGAR_S3_ENDPOINT: z.url().optional(),
  HANGAR_S3_REGION: z.string().min(1).default('us-east-1'),
  HANGAR_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  HANGAR_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  HANGAR_S3_KEY_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9][A-Za-z0-9._-]*\/)*$/, 'empty, or segments each ending in "/"')
    .default(''),
  HANGAR_S3_PATH_STYLE: z.enum(['true', 'false']).default('true'),
};

export type ArtifactStoreEnv = z.infer<z.ZodObject<typeof artifactStoreEnv>>;

export interface ArtifactStoreContext {
  /** Needed for `nats`. */
  readonly nats?: NatsConnection;
  /** The default folder for `fs` is `<dataDir>/artifacts` when HANGAR_ARTIFACT_DIR is unset; default defaultDataRoot(). */
  readonly dataDir?: string;
  readonly streamReplicas?: number;
}

export async function openArtifactStore(env: ArtifactStoreEnv, context: ArtifactStoreContext): Promise<ArtifactStore> {
  switch (env.HANGAR_ARTIFACT_STORE) {
    case 'fs':
      return FsArtifactStore.open(path.resolve(env.HANGAR_ARTIFACT_DIR ?? path.join(context.dataDir ?? defaultDataRoot(), 'artifacts')));
    case 'nats':
      if (!context.nats) throw new Error('HANGAR_ARTIFACT_STORE=nats needs a NATS connection');
      return NatsArtifactStore.open(context.nats, { bucket: env.HANGAR_ARTIFACT_BUCKET, replicas: context.streamReplicas ?? 1 });
    case 's3':
      if (Boolean(env.HANGAR_S3_ACCESS_KEY_ID) !== Boolean(env.HANGAR_S3_SECRET_ACCESS_KEY)) {
        throw new Error('HANGAR_S3_ACCESS_KEY_ID and HANGAR_S3_SECRET_ACCESS_KEY go together: set both, or neither (the SDK then finds credentials itself)');
      }
      return S3ArtifactStore.open({
        bucket: env.HANGAR_ARTIFACT_BUCKET,
        keyPrefix: env.HANGAR_S3_KEY_PREFIX,
        region: env.HANGAR_S3_REGION,
        forcePathStyle: env.HANGAR_S3_PATH_STYLE === 'true',
        ...(env.HANGAR_S3_ENDPOINT ? { endpoint: env.HANGAR_S3_ENDPOINT } : {}),
        ...(env.HANGAR_S3_ACCESS_KEY_ID ? { accessKeyId: env.HANGAR_S3_ACCESS_KEY_ID } : {}),
        ...(env.HANGAR_S3_SECRET_ACCESS_KEY ? { secretAccessKey: env.HANGAR_S3_SECRET_ACCESS_KEY } : {}),
      });
  }
}

/**
 * Where a service keeps its data when nothing says otherwise: as root not under a 0700 home (the
 * browser-node's default too), else `.hangar` in the working folder. Every service of one host
 * must open the same folder: the stack sets HANGAR_ARTIFACT_DIR for all of them.
 */
export function defaultDataRoot(): string {
  return process.getuid?.() === 0 ? '/var/lib/hangar' : '.hangar';
}

/** The artifact store settings out of a service's parsed env (which holds others too). */
export function pickArtifactStoreEnv(env: ArtifactStoreEnv): ArtifactStoreEnv {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(artifactStoreEnv)) picked[key] = (env as Record<string, unknown>)[key];
  return picked as ArtifactStoreEnv;
}
