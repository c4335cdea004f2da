const CR = 0x0d;
const LF = 0x0a;
const END_OF_HEAD = [CR, LF, CR, LF];
/** `HTTP/1.1 101`: the status code is bytes 9–11 of the status line. */
const STATUS_LINE_PREFIX = 12;
const OPCODE_CLOSE = 0x8;

type Phase = 'response-head' | 'frames' | 'not-upgraded';
type FrameState = 'byte0' | 'byte1' | 'length' | 'mask' | 'payload';

/**
 * Follows an upstream → client byte stream (the HTTP 101 response, then WebSocket frames) and
 * knows whether everything seen so far ends exactly at a frame boundary: the only place a frame of
 * our own (a ping) can be slipped into the stream without corrupting it. RFC 6455 §5.4 lets control
 * frames sit between the fragments of a message, so a frame boundary is enough.
 *
 * Only headers are read: a payload is skipped by counting, never copied, so tracking costs the same
 * for a 2-byte event and a 10 MB screenshot. Every header field may arrive split across chunks,
 * hence the byte-at-a-time state machine for them.
 */
export class ServerFrameTracker {
  private phase: Phase = 'response-head';
  private status = '';
  private headMatched = 0;

  private state: FrameState = 'byte0';
  private opcode = 0;
  private masked = false;
  private lengthBytesLeft = 0;
  private maskBytesLeft = 0;
  /**
   * Bytes of the current payload still to come. A 64-bit length past 2^53 would lose precision
   * here, but no peer sends a frame of 9 petabytes.
   */
  private payloadLeft = 0;
  private closeSeen = false;

  /** True once the upstream's 101 response head has passed: frames follow. */
  get upgraded(): boolean {
    return this.phase === 'frames';
  }

  /**
   * A frame of our own may be written now. Not after the upstream's Close frame: the connection is
   * closing, and a well-behaved peer expects nothing after it.
   */
  get atFrameBoundary(): boolean {
    return this.phase === 'frames' && this.state === 'byte0' && !this.closeSeen;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    if (this.phase === 'response-head') i = this.readHead(chunk);
    if (this.phase === 'frames') this.readFrames(chunk, i);
  }

  /** Returns the offset just past the head, or the chunk's length when the head goes on. */
  private readHead(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.status.length < STATUS_LINE_PREFIX) this.status += String.fromCharCode(b);
      if (b === END_OF_HEAD[this.headMatched]) this.headMatched++;
      // On a mismatch the byte may itself start the sequence again ("\r\n\r\r\n\r\n").
      else this.headMatched = b === CR ? 1 : 0;
      if (this.headMatched === END_OF_HEAD.length) {
        // A refusal (404, 502…) is followed by a body, not frames: nothing may be injected into it.
        this.phase = /^HTTP\/1\.[01] 101$/.test(this.status) ? 'frames' : 'not-upgraded';
        return i + 1;
      }
    }
    return chunk.length;
  }

  private readFrames(chunk: Uint8Array, from: number): void {
    let i = from;
    while (i < chunk.length) {
      if (this.state === 'payload') {
        const take = Math.min(this.payloadLeft, chunk.length - i);
        this.payloadLeft -= take;
        i += take;
        if (this.payloadLeft === 0) this.state = 'byte0';
        continue;
      }
      const b = chunk[i++]!;
      switch (this.state) {
        case 'byte0':
          this.opcode = b & 0x0f;
          this.state = 'byte1';
          break;
        case 'byte1': {
          this.masked = (b & 0x80) !== 0;
          const len7 = b & 0x7f;
          this.payloadLeft = 0;
          if (len7 === 126 || len7 === 127) {
            this.lengthBytesLeft = len7 === 126 ? 2 : 8;
            this.state = 'length';
          } else {
            this.payloadLeft = len7;
            this.afterLength();
          }
          break;
        }
        case 'length':
          this.payloadLeft = this.payloadLeft * 256 + b;
          if (--this.lengthBytesLeft === 0) this.afterLength();
          break;
        case 'mask':
          if (--this.maskBytesLeft === 0) this.startPayload();
          break;
      }
    }
  }

  /** A server must not mask (RFC 6455 §5.1), but skipping a key costs nothing and keeps us in step. */
  private afterLength(): void {
    if (this.masked) {
      this.maskBytesLeft = 4;
      this.state = 'mask';
    } else {
      this.startPayload();
    }
  }

  private startPayload(): void {
    if (this.opcode === OPCODE_CLOSE) this.closeSeen = true;
    this.state = this.payloadLeft === 0 ? 'byte0' : 'payload';
  }
}
