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
