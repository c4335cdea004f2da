import { Duplex, PassThrough } from 'node:stream';
import { keepClientAlive } from './client-keepalive.js';

const HEAD_101 = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The client's socket as the proxy sees it, with the network under the test's control: writes
 * complete only when `flush()` says the peer took them, so the stream backs up and drains exactly
 * when the test decides. It never sends anything: a client that is silent but maybe alive.
 */
class ThinLinkClient extends Duplex {
  readonly written: Buffer[] = [];
  private held: (() => void)[] = [];

  constructor() {
    super({ writableHighWaterMark: 1024 });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    this.held.push(done);
  }

  /** The peer acknowledged everything sent so far. */
  flush(): void {
    for (const done of this.held.splice(0)) done();
  }
}

/** One binary frame header announcing a 64-bit payload length. */
function bigFrameHeader(size: number): Buffer {
  const header = Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(size, 6);
  return header;
}

describe('keepClientAlive', () => {
  it('a client slowly taking one huge frame is not cut while its socket drains, and is once it stops', async () => {
    const upstream = new PassThrough();
    const client = new ThinLinkClient();
    upstream.pipe(client);
    let timedOutAt = 0;
    const stop = keepClientAlive(upstream, client, { intervalMs: 20, timeoutMs: 80 }, () => (timedOutAt = Date.now()));
    try {
      upstream.write(HEAD_101);
      client.flush();
      // One frame far larger than anything the link takes at once: no boundary to ping at for its
      // whole duration, and the client says nothing.
      upstream.write(bigFrameHeader(100 * 4096));
      const started = Date.now();
      for (let i = 0; i < 30; i++) {
        upstream.write(Buffer.alloc(4096));
        await sleep(10);
        expect(client.writableNeedDrain).toBe(true);
        client.flush();
      }
      expect(Date.now() - started).toBeGreaterThan(3 * 80);
      expect(timedOutAt).toBe(0);
      // No pings were slipped into the frame.
      expect(Buffer.concat(client.written).includes(Buffer.from([0x89, 0x00]))).toBe(false);

      // The link goes dead mid-frame: nothing drains any more.
      upstream.write(Buffer.alloc(4096));
      const deadAt = Date.now();
      while (!timedOutAt && Date.now() - deadAt < 1_000) await sleep(5);
      expect(timedOutAt - deadAt).toBeGreaterThanOrEqual(60);
      expect(timedOutAt - deadAt).toBeLessThan(200);
    } finally {
      stop();
    }
  });

  it('a ping owed while the client is backed up goes out on its drain, at a frame boundary', async () => {
    const upstream = new PassThrough();
    const client = new ThinLinkClient();
    upstream.pipe(client);
    const stop = keepClientAlive(upstream, client, { intervalMs: 20, timeoutMs: 5_000 }, () => undefined);
    try {
      upstream.write(HEAD_101);
      client.flush();
      // A complete 2 KB frame: past the high-water mark, so the client needs a drain.
      upstream.write(Buffer.concat([Buffer.from([0x82, 126, 0x08, 0x00]), Buffer.alloc(2048, 1)]));
      await sleep(60);
      const before = Buffer.concat(client.written);
      expect(before.subarray(-2).equals(Buffer.from([0x89, 0x00]))).toBe(false);
      client.flush();
      await sleep(5);
      const after = Buffer.concat(client.written);
      expect([...after.subarray(before.length)]).toEqual([0x89, 0x00]);
    } finally {
      stop();
    }
  });
});
