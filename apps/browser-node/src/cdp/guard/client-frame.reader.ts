const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
const MAX_CONTROL_PAYLOAD = 125;

/** The client broke RFC 6455 or sent more than we hold: the connection is failed (cut). */
export class FrameError extends Error {
  constructor(
    /** The close code that names the failure (1002 protocol error, 1009 too big). */
    readonly closeCode: 1002 | 1009,
    message: string,
  ) {
    super(message);
  }
}

export interface FrameSink {
  /**
   * A whole message, unmasked, its fragments joined. `wire` is the frame exactly as received when
   * the message came as one frame within one chunk (forwarding it costs no copy); else undefined.
   */
  message(payload: Buffer, binary: boolean, wire: Buffer | undefined): void;
  /** A ping, pong or close frame, unmasked; `wire` as for messages. */
  control(opcode: number, payload: Buffer, wire: Buffer | undefined): void;
}

/**
 * Reads a client → server WebSocket byte stream (RFC 6455 §5) into whole messages: frames split
 * across TCP chunks, several frames in one chunk, 7/16/64-bit lengths, fragmented messages with
 * control frames between their fragments. A guard must see a message whole before any of it
 * reaches Chromium, so data is held until its final fragment; controls pass as soon as they end.
 *
 * Strict where leniency could hide a payload: client frames must be masked, no extension is ever
 * negotiated (the upgrade's Sec-WebSocket-Extensions is stripped) so every RSV bit must be 0, and
 * unknown opcodes fail the connection. Nothing after the client's Close frame is read.
 */
export class ClientFrameReader {
  private readonly header = Buffer.alloc(14);
  private headerHave = 0;
  private headerNeed = 2;
  private inPayload = false;
  private fin = false;
  private opcode = 0;
  private payloadLeft = 0;
  private payloadLength = 0;
  private parts: Buffer[] = [];
  private fragments: Buffer[] | undefined;
  private fragmentsBytes = 0;
  private fragmentsBinary = false;
  private closed = false;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer, sink: FrameSink): void {
    let i = 0;
    // Where the current frame began in this chunk; -1 once it is known to span chunks.
    let frameStart = this.headerHave === 0 && !this.inPayload ? 0 : -1;
    while (i < chunk.length && !this.closed) {
      if (!this.inPayload) {
        if (this.headerHave === 0) frameStart = i;
        i = this.readHeader(chunk, i);
        if (this.headerHave < this.headerNeed) return;
        this.startPayload();
      }
      const take = Math.min(this.payloadLeft, chunk.length - i);
      if (take > 0) this.parts.push(chunk.subarray(i, i + take));
      this.payloadLeft -= take;
      i += take;
      if (this.payloadLeft > 0) return;
      this.endFrame(sink, frameStart >= 0 ? chunk.subarray(frameStart, i) : undefined);
      frameStart = i;
    }
  }

  /** Copies header bytes (2 to 14: base, extended length, mask key) until it has them all. */
  private readHeader(chunk: Buffer, from: number): number {
    let i = from;
    while (this.headerHave < this.headerNeed && i < chunk.length) {
      this.header[this.headerHave++] = chunk[i++]!;
      if (this.headerHave === 2) this.checkBase();
    }
    return i;
  }

  /** Byte 0 and 1 are in: everything that can be refused before the rest of the header. */
  private checkBase(): void {
    const b0 = this.header[0]!;
    const b1 = this.header[1]!;
    this.fin = (b0 & 0x80) !== 0;
    this.opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) throw new FrameError(1002, 'reserved bits set: no extension was negotiated');
    if ((b1 & 0x80) === 0) throw new FrameError(1002, 'a client frame must be masked');
    const control = this.opcode >= 0x8;
    if (![OPCODE_CONTINUATION, OPCODE_TEXT, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG].includes(this.opcode)) {
      throw new FrameError(1002, `unknown opcode ${this.opcode}`);
    }
    const len7 = b1 & 0x7f;
    if (control && (!this.fin || len7 > MAX_CONTROL_PAYLOAD)) throw new FrameError(1002, 'a control frame must be final and at most 125 bytes');
    if (this.opcode === OPCODE_CONTINUATION && !this.fragments) throw new FrameError(1002, 'a continuation frame without a message to continue');
    if ((this.opcode === OPCODE_TEXT || this.opcode === OPCODE_BINARY) && this.fragments) throw new FrameError(1002, 'a new message before the last one ended');
    this.headerNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + 4;
  }

  private startPayload(): void {
    const len7 = this.header[1]! & 0x7f;
    let length = len7;
    if (len7 === 126) length = this.header.readUInt16BE(2);
    else if (len7 === 127) {
      // Anything past 32 bits is far beyond the limit; the high word only has to be zero.
      if (this.header.readUInt32BE(2) !== 0) throw new FrameError(1009, 'message too big');
      length = this.header.readUInt32BE(6);
    }
    const soFar = this.opcode === OPCODE_CONTINUATION ? this.fragmentsBytes : 0;
    if (soFar + length > this.maxMessageBytes) throw new FrameError(1009, `message over ${this.maxMessageBytes} bytes`);
    this.payloadLength = length;
    this.payloadLeft = length;
    this.inPayload = true;
  }

  private endFrame(sink: FrameSink, wire: Buffer | undefined): void {
    const payload = unmask(this.parts, this.payloadLength, this.header, this.headerNeed - 4);
    this.parts = [];
    this.inPayload = false;
    this.headerHave = 0;
    this.headerNeed = 2;
    const { opcode, fin } = this;
    if (opcode >= 0x8) {
      if (opcode === OPCODE_CLOSE) this.closed = true;
      sink.control(opcode, payload, wire);
      return;
    }
    if (opcode !== OPCODE_CONTINUATION && fin) {
      sink.message(payload, opcode === OPCODE_BINARY, wire);
      return;
    }
    if (opcode !== OPCODE_CONTINUATION) {
      this.fragments = [];
      this.fragmentsBytes = 0;
      this.fragmentsBinary = opcode === OPCODE_BINARY;
    }
    this.fragments!.push(payload);
    this.fragmentsBytes += payload.length;
    if (!fin) return;
    const whole = Buffer.concat(this.fragments!, this.fragmentsBytes);
    this.fragments = undefined;
    sink.message(whole, this.fragmentsBinary, undefined);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Copies the parts into one new buffer and XORs it with the 4-byte key at `header[keyAt]`, four
 * bytes at a time where the buffer is 4-aligned (always, for Node's allocations): byte by byte
 * this was ~2.5 ns/byte, the whole cost of a large message. The input stays as received.
 */
function unmask(parts: Buffer[], length: number, header: Buffer, keyAt: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  for (const part of parts) o += part.copy(out, o);
  const key = header.subarray(keyAt, keyAt + 4);
  let i = 0;
  if (out.byteOffset % 4 === 0 && length >= 16) {
    const words = new Uint32Array(out.buffer, out.byteOffset, length >>> 2);
    const k = LITTLE_ENDIAN ? key.readUInt32LE(0) : key.readUInt32BE(0);
    for (let w = 0; w < words.length; w++) words[w] = words[w]! ^ k;
    i = words.length * 4;
  }
  for (; i < length; i++) out[i] = out[i]! ^ key[i & 3]!;
  return out;
}
