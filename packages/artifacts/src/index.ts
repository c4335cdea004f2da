export * from './artifact-store.js';
export { FsArtifactStore } from './fs/fs-artifact-store.js';
export { NatsArtifactStore, type NatsArtifactStoreOptions } from './nats/nats-artifact-store.js';
export { S3ArtifactStore, type S3ArtifactStoreOptions } from './s3/s3-artifact-store.js';
export * from './artifact-store.config.js';
export * from './tokens.js';
export * from './nest.js';
export * from './extension-zip/extension-zip.js';
