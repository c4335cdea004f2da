import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { jetstreamManager } from '@nats-io/jetstream';
import { startTestNats, type TestNats } from '@hangar/testing';
import { describeArtifactStore } from '../testing/artifact-store.contract.js';
import { NatsArtifactStore } from './nats-artifact-store.js';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

// A bucket per test: each starts empty.
describeArtifactStore('JetStream Object Store', () => NatsArtifactStore.open(nats.nc, { bucket: `test-${randomUUID().slice(0, 8)}` }));

describe('JetStream Object Store artifacts beyond the contract', () => {
  it('a refused put leaves no chunk in the bucket stream (no storage leaks)', async () => {
    const bucket = `capped-${randomUUID().slice(0, 8)}`;
    const store = await NatsArtifactStore.open(nats.nc, { bucket });
    const big = Readable.from(Array.from({ length: 32 }, () => randomBytes(128 * 1024)));
    await expect(store.put('capped/big', big, { maxBytes: 1024 * 1024 })).rejects.toThrow('larger than');
    const jsm = await jetstreamManager(nats.nc);
    expect((await jsm.streams.info(`OBJ_${bucket}`)).state.messages).toBe(0);
  });

  it('what one connection stored, another (another host) reads', async () => {
    const bucket = `shared-${randomUUID().slice(0, 8)}`;
    const writer = await NatsArtifactStore.open(nats.nc, { bucket });
    await writer.put('sessions/s1/logs/1.json', Buffer.from('from the node'));
    const { connectNats } = await import('@hangar/messaging');
    const other = await connectNats(nats.url, 'reader');
    try {
      const reader = await NatsArtifactStore.open(other, { bucket });
      expect((await reader.get('sessions/s1/logs/1.json'))?.toString()).toBe('from the node');
    } finally {
      await other.close();
    }
  });
});
