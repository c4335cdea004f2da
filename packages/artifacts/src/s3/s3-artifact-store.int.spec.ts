import { randomUUID } from 'node:crypto';
import { startTestS3, type TestS3 } from '@hangar/testing';
import { describeArtifactStore } from '../testing/artifact-store.contract.js';
import { S3ArtifactStore } from './s3-artifact-store.js';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.stop();
});

// A real S3-speaking server (s3rver) on loopback; a bucket per test, created by open().
describeArtifactStore('S3', () =>
  S3ArtifactStore.open({ ...s3.credentials, endpoint: s3.endpoint, bucket: `test-${randomUUID().slice(0, 8)}`, keyPrefix: 'hangar/' }),
);

describe('S3 artifact store at boot', () => {
  it('opens from several services at once on a bucket none has made yet (they race to create it)', async () => {
    const bucket = `race-${randomUUID().slice(0, 8)}`;
    const stores = await Promise.all(Array.from({ length: 4 }, () => S3ArtifactStore.open({ ...s3.credentials, endpoint: s3.endpoint, bucket })));
    await stores[0]!.put('k', Buffer.from('shared'));
    expect((await stores[3]!.get('k'))?.toString()).toBe('shared');
    await Promise.all(stores.map((s) => s.close()));
  });
});
