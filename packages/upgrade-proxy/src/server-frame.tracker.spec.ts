import { ServerFrameTracker } from './server-frame.tracker.js';

const HEAD_101 = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n';

/** One frame as a server would send it (unmasked unless a key is given). */
function frame(opcode: number, payloadLength: number, options: { fin?: boolean; mask?: boolean } = {}): Buffer {
  const byte0 = ((options.fin ?? true) ? 0x80 : 0) | opcode;
  const maskBit = options.mask ? 0x80 : 0;
  let header: Buffer;
  if (payloadLength < 126) header = Buffer.from([byte0, maskBit | payloadLength]);
  else if (payloadLength < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt8(byte0, 0);
    header.writeUInt8(maskBit | 126, 1);
    header.writeUInt16BE(payloadLength, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(byte0, 0);
    header.writeUInt8(maskBit | 127, 1);
    header.writeBigUInt64BE(BigInt(payloadLength), 2);
  }
  const key = options.mask ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0);
  // Payload bytes that look like headers (0x81 0x7e …), so a tracker reading into them goes wrong.
  const payload = Buffer.alloc(payloadLength, 0x81);
  return Buffer.concat([header, key, payload]);
}

/** A stream and the offsets at which a frame may be injected (after the head, after each frame). */
function stream(head: string, frames: Buffer[]): { bytes: Buffer; boundaries: Set<number> } {
  const parts = [Buffer.from(head, 'latin1'), ...frames];
  const boundaries = new Set<number>();
  let offset = 0;
  for (const part of parts) {
    offset += part.length;
    boundaries.add(offset);
  }
  return { bytes: Buffer.concat(parts), boundaries };
}

/** Feeds `bytes` cut at `cuts` and returns the offsets after each chunk where the tracker said "boundary". */
function feed(bytes: Buffer, cuts: number[]): { said: Set<number>; checked: number[] } {
  const tracker = new ServerFrameTracker();
  const said = new Set<number>();
  const checked: number[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    tracker.push(bytes.subarray(from, to));
    from = to;
    checked.push(to);
    if (tracker.atFrameBoundary) said.add(to);
  }
  return { said, checked };
}

function expectExact(bytes: Buffer, boundaries: Set<number>, cuts: number[]): void {
  const { said, checked } = feed(bytes, cuts);
  const expected = checked.filter((offset) => boundaries.has(offset));
  expect([...said]).toEqual(expected);
}

describe('ServerFrameTracker', () => {
  const frames = [
    frame(0x1, 0), // empty text
    frame(0x1, 5),
    frame(0x1, 125), // largest 7-bit length
    frame(0x1, 126), // smallest 16-bit length
    frame(0x2, 300, { fin: false }), // a fragment …
    frame(0xa, 3), // … a control frame between fragments …
    frame(0x0, 65535), // … the continuation, largest 16-bit length
    frame(0x1, 65536), // smallest 64-bit length
    frame(0x1, 7, { mask: true }), // servers must not mask, but the key must still be skipped
    frame(0x9, 0),
  ];
  const { bytes, boundaries } = stream(HEAD_101, frames);

  it('knows the boundary with the whole stream in one chunk', () => {
    expectExact(bytes, boundaries, []);
    expect(feed(bytes, []).said.has(bytes.length)).toBe(true);
  });

  it('knows every boundary when the stream is cut once at any position', () => {
    // Every position in and around the head and each frame header; inside the long payloads
    // (nothing to parse there) every 251st, to keep the test fast.
    const nearHeader = (offset: number) => [0, ...boundaries].some((b) => offset >= b - 2 && offset <= b + 16);
    for (let cut = 1; cut < bytes.length; cut++) {
      if (cut < Buffer.byteLength(HEAD_101) || nearHeader(cut) || cut % 251 === 0) expectExact(bytes, boundaries, [cut]);
    }
  });

  it('knows every boundary when fed one byte at a time (every header split every way)', () => {
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    const { said } = feed(bytes, cuts);
    expect([...said]).toEqual([...boundaries]);
  });

  it('handles cuts at every pair of positions in the headers of a 64-bit frame', () => {
    const small = stream(HEAD_101, [frame(0x1, 2), frame(0x1, 70_000), frame(0x1, 1)]);
    const start = Buffer.byteLength(HEAD_101) + 4;
    for (let a = start - 6; a < start + 12; a++) {
      for (let b = a + 1; b < start + 14; b++) expectExact(small.bytes, small.boundaries, [a, b]);
    }
  });

  it('handles many frames in one chunk, ending mid-frame', () => {
    const s = stream(HEAD_101, [frame(0x1, 1), frame(0x1, 2), frame(0x1, 3), frame(0x1, 200)]);
    expectExact(s.bytes, s.boundaries, [s.bytes.length - 100]);
    expectExact(s.bytes, s.boundaries, [Buffer.byteLength(HEAD_101) - 2, s.bytes.length - 1]);
  });

  it('a stray "\\r" after "\\r\\n\\r" does not hide the end of the head', () => {
    const odd = 'HTTP/1.1 101 Switching Protocols\r\nX: a\r\n\r\r\n\r\n';
    const s = stream(odd, [frame(0x1, 4)]);
    for (let cut = 1; cut < s.bytes.length; cut++) expectExact(s.bytes, s.boundaries, [cut]);
  });

  it('is never at a boundary before the head has passed', () => {
    const tracker = new ServerFrameTracker();
    tracker.push(Buffer.from(HEAD_101.slice(0, -1), 'latin1'));
    expect(tracker.upgraded).toBe(false);
    expect(tracker.atFrameBoundary).toBe(false);
    tracker.push(Buffer.from('\n'));
    expect(tracker.upgraded).toBe(true);
    expect(tracker.atFrameBoundary).toBe(true);
  });

  it('never reports a boundary in a refused upgrade: what follows is a body, not frames', () => {
    const refusal = 'HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n';
    const s = Buffer.concat([Buffer.from(refusal), frame(0x1, 0)]);
    for (let cut = 1; cut < s.length; cut++) expect(feed(s, [cut]).said.size).toBe(0);
  });

  it('stops offering boundaries once the upstream sent a Close frame', () => {
    const s = stream(HEAD_101, [frame(0x1, 3), frame(0x8, 2), frame(0x1, 3)]);
    const closeStarts = Buffer.byteLength(HEAD_101) + 5;
    const { said } = feed(s.bytes, Array.from({ length: s.bytes.length - 1 }, (_, i) => i + 1));
    expect(Math.max(...said)).toBe(closeStarts);
  });
});
