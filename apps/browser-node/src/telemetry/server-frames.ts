const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Reads the server → client bytes of a spliced CDP connection (the 101 head, then unmasked
 * frames, RFC 6455 §5) into text messages, for the log tap only: it runs after the bytes were
 * forwarded, never on the splice. A message over `keepChars` is handed over as its first
 * `keepChars` bytes and its length (a screenshot's answer is logged by its id, not its body),
 * so what it holds is bounded whatever Chromium sends.
 */
export class ServerFrameReader {
  private head: Buffer | undefined = Buffer.alloc(0);
  private pending: Buffer = Buffer.alloc(0);
  /** Payload bytes of the current frame still to come; undefined between frames. */
  private frameLeft: number | undefined;
  /** The current frame belongs to a text message (its first frame or a continuation). */
  private collecting = false;
  private finalFrame = false;
  /** A text message has begun and not ended (control frames may sit between its fragments). */
  private inText = false;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private length = 0;

  constructor(private readonly keepBytes: number) {}

  push(chunk: Buffer, onMessage: (text: string, length: number) => void): void {
    let data = chunk;
    if (this.head) {
      const joined = Buffer.concat([this.head, data]);
      const end = joined.indexOf(CRLFCRLF);
      if (end < 0) {
        // Only the tail can still hold the start of the head's end.
        this.head = joined.subarray(Math.max(0, joined.length - 3));
        return;
      }
      this.head = undefined;
      data = joined.subarray(end + 4);
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    for (;;) {
      if (this.frameLeft === undefined && !this.readHeader()) return;
      const take = Math.min(this.frameLeft!, this.pending.length);
      if (this.collecting) this.keep(this.pending.subarray(0, take));
      this.frameLeft! -= take;
      this.pending = this.pending.subarray(take);
      if (this.frameLeft! > 0) return;
      this.frameLeft = undefined;
      if (this.finalFrame) this.finish(onMessage);
    }
  }

  /** Parses one frame header off `pending`; false when it has not fully arrived. */
  private readHeader(): boolean {
    const p = this.pending;
    if (p.length < 2) return false;
    const fin = (p[0]! & 0x80) !== 0;
    const opcode = p[0]! & 0x0f;
    let len = p[1]! & 0x7f;
    let at = 2;
    if (len === 126) {
      if (p.length < 4) return false;
      len = p.readUInt16BE(2);
      at = 4;
    } else if (len === 127) {
      if (p.length < 10) return false;
      len = p.readUInt32BE(2) * 2 ** 32 + p.readUInt32BE(6);
      at = 10;
    }
    // A server must not mask; skipping a key anyway keeps the reader in step.
    if ((p[1]! & 0x80) !== 0) at += 4;
    if (p.length < at) return false;
    this.pending = p.subarray(at);
    this.frameLeft = len;
    if (opcode === 0x1) {
      this.inText = true;
      this.kept = [];
      this.keptBytes = 0;
      this.length = 0;
    } else if (opcode === 0x2) {
      this.inText = false;
    }
    // Control frames and binary messages are not CDP text: counted past, never kept.
    this.collecting = this.inText && (opcode === 0x1 || opcode === 0x0);
    this.finalFrame = this.collecting && fin;
    return true;
  }

  private keep(part: Buffer): void {
    this.length += part.length;
    if (this.keptBytes >= this.keepBytes) return;
    // Copied: only the kept prefix should stay alive, not the socket's whole chunk.
    const slice = Buffer.from(part.subarray(0, this.keepBytes - this.keptBytes));
    this.kept.push(slice);
    this.keptBytes += slice.length;
  }

  private finish(onMessage: (text: string, length: number) => void): void {
    this.inText = false;
    const text = Buffer.concat(this.kept, this.keptBytes).toString('utf8');
    const length = this.length;
    this.kept = [];
    this.keptBytes = 0;
    this.length = 0;
    onMessage(text, length);
  }
}
