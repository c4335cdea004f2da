import type { Readable, Writable } from 'node:stream';
import { ServerFrameTracker } from './server-frame.tracker.js';

/**
 * Writes frames of our own (a CDP error answer from a client filter) into the upstream → client
 * stream, each one whole and only where a frame of the upstream's has just ended: the client's
 * WebSocket parser must never see our bytes inside one of the upstream's frames.
 *
 * Must be created after `upstream.pipe(client)`: its 'data' listener then runs after pipe's, so
 * the tracker only ever describes bytes already handed to `client.write`, and a frame written at
 * a boundary lands after them (the same ordering client-keepalive.ts relies on).
 */
export class ServerFrameInjector {
  private readonly tracker = new ServerFrameTracker();
  private readonly queued: Buffer[] = [];
  private readonly onData = (chunk: Buffer) => {
    this.tracker.push(chunk);
    if (this.queued.length > 0) this.flush();
  };

  constructor(
    private readonly upstream: Readable,
    private readonly client: Writable,
  ) {
    upstream.on('data', this.onData);
  }

  /**
   * Sent now if the stream is at a boundary, else as soon as the upstream's current frame ends.
   * Dropped once the upstream has sent its Close: nothing may follow that.
   */
  send(frame: Buffer): void {
    this.queued.push(frame);
    this.flush();
  }

  stop(): void {
    this.upstream.off('data', this.onData);
    this.queued.length = 0;
  }

  private flush(): void {
    if (!this.tracker.atFrameBoundary || !this.client.writable) return;
    // A full client buffer only delays these behind what it holds, which is the order we want.
    for (const frame of this.queued.splice(0)) this.client.write(frame);
  }
}
