import { z } from 'zod';
import { startTestNats, startTestS3, tempDir } from '@hangar/testing';
import { artifactStoreEnv, openArtifactStore } from './artifact-store.config.js';

const schema = z.object(artifactStoreEnv);

describe('artifact store settings', () => {
  it('defaults to a folder under the data dir', async () => {
    const dataDir = tempDir('hangar-artifacts-cfg-');
    const store = await openArtifactStore(schema.parse({}), { dataDir });
    expect(store.kind).toBe('fs');
    await store.put('a/b', Buffer.from('x'));
    expect((await store.list('')).map((e) => e.key)).toEqual(['a/b']);
  });

  it('names the setting and the rule when a value is wrong', () => {
    const bad = schema.safeParse({ HANGAR_ARTIFACT_STORE: 'ftp', HANGAR_ARTIFACT_BUCKET: 'Bad_Bucket', HANGAR_S3_KEY_PREFIX: '../x' });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['HANGAR_ARTIFACT_STORE', 'HANGAR_ARTIFACT_BUCKET', 'HANGAR_S3_KEY_PREFIX']));
  });

  it('opens the JetStream Object Store and an S3 bucket for real', async () => {
    const nats = await startTestNats();
    const s3 = await startTestS3();
    try {
      const onNats = await openArtifactStore(schema.parse({ HANGAR_ARTIFACT_STORE: 'nats' }), { dataDir: '/nonexistent', nats: nats.nc });
      expect(onNats.kind).toBe('nats');
      await onNats.put('k', Buffer.from('on nats'));
      expect((await onNats.get('k'))?.toString()).toBe('on nats');
      const env = schema.parse({
        HANGAR_ARTIFACT_STORE: 's3',
        HANGAR_S3_ENDPOINT: s3.endpoint,
        HANGAR_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        HANGAR_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        HANGAR_S3_KEY_PREFIX: 'hangar/',
      });
      const onS3 = await openArtifactStore(env, { dataDir: '/nonexistent' });
      await onS3.put('k', Buffer.from('on s3'));
      expect((await onS3.get('k'))?.toString()).toBe('on s3');
      await onS3.close();
      await expect(openArtifactStore({ ...env, HANGAR_S3_SECRET_ACCESS_KEY: undefined }, { dataDir: '/nonexistent' })).rejects.toThrow('go together');
    } finally {
      await s3.stop();
      await nats.stop();
    }
  });
});
