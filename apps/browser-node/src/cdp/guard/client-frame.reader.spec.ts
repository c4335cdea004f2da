import { randomBytes } from 'node:crypto';
import { ClientFrameReader, FrameError, type FrameSink } from './client-frame.reader.js';

interface Seen {
  kind: 'message' | 'control';
  opcode?: number;
  binary?: boolean;
  payload: string;
  wire: boolean;
}

/** A client frame: masked with a random key unless told otherwise. */
function frame(opcode: number, payload: Buffer | string, options: { fin?: boolean; mask?: boolean; rsv?: number } = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const masked = options.mask ?? true;
  const b0 = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (data.length < 126) header = Buffer.from([b0, maskBit | data.length]);
  else if (data.length < 65_536) {
    header = Buffer.from([b0, maskBit | 126, 0, 0]);
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.from([b0, maskBit | 127, 0, 0, 0, 0, 0, 0, 0, 0]);
    header.writeUInt32BE(data.length, 6);
  }
  if (!masked) return Buffer.concat([header, data]);
  const key = randomBytes(4);
  const body = Buffer.from(data.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([header, key, body]);
}

function collector(): { sink: FrameSink; seen: Seen[]; wires: Buffer[] } {
  const seen: Seen[] = [];
  const wires: Buffer[] = [];
  const sink: FrameSink = {
    message: (payload, binary, wire) => {
      seen.push({ kind: 'message', binary, payload: payload.toString('latin1'), wire: wire !== undefined });
      if (wire) wires.push(Buffer.from(wire));
    },
    control: (opcode, payload, wire) => {
      seen.push({ kind: 'control', opcode, payload: payload.toString('latin1'), wire: wire !== undefined });
      if (wire) wires.push(Buffer.from(wire));
    },
  };
  return { sink, seen, wires };
}

/** Feeds `bytes` cut at `cuts` (sorted offsets) and returns what the sink saw. */
function feed(bytes: Buffer, cuts: number[], max = 1 << 24) {
  const reader = new ClientFrameReader(max);
  const c = collector();
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    reader.push(bytes.subarray(from, to), c.sink);
    from = to;
  }
  return c;
}

const withoutWire = (seen: Seen[]) => seen.map(({ wire: _wire, ...rest }) => rest);

const big16 = 'a'.repeat(300);
const big64 = Buffer.alloc(70_000, 0x62).toString('latin1');
const STREAM: [Buffer, Omit<Seen, 'wire'> | undefined][] = [
  [frame(0x1, '{"id":1,"method":"Runtime.evaluate"}'), { kind: 'message', binary: false, payload: '{"id":1,"method":"Runtime.evaluate"}' }],
  [frame(0x1, ''), { kind: 'message', binary: false, payload: '' }],
  [frame(0x1, 'x'.repeat(125)), { kind: 'message', binary: false, payload: 'x'.repeat(125) }],
  [frame(0x1, 'y'.repeat(126)), { kind: 'message', binary: false, payload: 'y'.repeat(126) }],
  [frame(0x1, big16), { kind: 'message', binary: false, payload: big16 }],
  [frame(0x1, 'z'.repeat(65_535)), { kind: 'message', binary: false, payload: 'z'.repeat(65_535) }],
  [frame(0x2, Buffer.from(big64, 'latin1')), { kind: 'message', binary: true, payload: big64 }],
  // A fragmented message with a ping and a pong between its fragments.
  [frame(0x1, '{"id":2,', { fin: false }), undefined],
  [frame(0x9, 'ping!'), { kind: 'control', opcode: 0x9, payload: 'ping!' }],
  [frame(0x0, '"method":', { fin: false }), undefined],
  [frame(0xa, ''), { kind: 'control', opcode: 0xa, payload: '' }],
  [frame(0x0, '', { fin: false }), undefined],
  [frame(0x0, '"Page.navigate"}'), { kind: 'message', binary: false, payload: '{"id":2,"method":"Page.navigate"}' }],
  [frame(0x2, Buffer.from([1, 2, 3]), { fin: false }), undefined],
  [frame(0x0, Buffer.from([4])), { kind: 'message', binary: true, payload: '\x01\x02\x03\x04' }],
  [frame(0x8, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65])), { kind: 'control', opcode: 0x8, payload: '\x03\xe8bye' }],
];
const bytes = Buffer.concat(STREAM.map(([f]) => f));
const expected = STREAM.flatMap(([, e]) => (e ? [e] : []));

describe('ClientFrameReader', () => {
  it('reads a stream of every kind of frame in one chunk, each single frame with its wire bytes', () => {
    const { seen, wires } = feed(bytes, []);
    expect(withoutWire(seen)).toEqual(expected);
    // Fragmented messages have no single wire frame; everything else does, byte for byte.
    expect(seen.map((s) => s.wire)).toEqual(expected.map((e) => !(e.kind === 'message' && (e.payload.startsWith('{"id":2') || e.payload === '\x01\x02\x03\x04'))));
    const singles = STREAM.filter(([f, e]) => e && (f[0]! & 0x80) !== 0 && (f[0]! & 0x0f) !== 0).map(([f]) => f);
    expect(wires).toEqual(singles);
  });

  it('reads the same whatever single position the stream is cut at', () => {
    const nearHeaders = new Set<number>();
    let offset = 0;
    for (const [f] of STREAM) {
      for (let d = -2; d <= 16; d++) nearHeaders.add(offset + d);
      offset += f.length;
    }
    for (let cut = 1; cut < bytes.length; cut++) {
      if (!nearHeaders.has(cut) && cut % 997 !== 0) continue;
      expect(withoutWire(feed(bytes, [cut]).seen)).toEqual(expected);
    }
  });

  it('reads the same fed one byte at a time (every header split every way)', () => {
    const small = Buffer.concat(STREAM.filter(([f]) => f.length < 200).map(([f]) => f));
    const want = STREAM.filter(([f]) => f.length < 200).flatMap(([, e]) => (e ? [e] : []));
    const { seen } = feed(small, Array.from({ length: small.length - 1 }, (_, i) => i + 1));
    expect(withoutWire(seen)).toEqual(want);
    expect(seen.every((s) => !s.wire)).toBe(true);
  });

  it('reads the same under random splits into chunks (fuzz, seeded)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const cuts = new Set<number>();
      const n = 1 + Math.floor(random() * 40);
      for (let i = 0; i < n; i++) cuts.add(1 + Math.floor(random() * (bytes.length - 1)));
      expect(withoutWire(feed(bytes, [...cuts].sort((a, b) => a - b)).seen)).toEqual(expected);
    }
  });

  it('reads nothing after the Close frame', () => {
    const after = Buffer.concat([frame(0x8, ''), frame(0x1, 'later')]);
    expect(withoutWire(feed(after, []).seen)).toEqual([{ kind: 'control', opcode: 0x8, payload: '' }]);
  });

  it.each([
    ['an unmasked frame', frame(0x1, 'x', { mask: false }), 1002],
    ['a compressed (RSV1) frame', frame(0x1, 'x', { rsv: 4 }), 1002],
    ['an unknown opcode', frame(0x3, 'x'), 1002],
    ['a fragmented control frame', frame(0x9, 'x', { fin: false }), 1002],
    ['a control frame over 125 bytes', frame(0x9, 'p'.repeat(126)), 1002],
    ['a continuation without a message', frame(0x0, 'x'), 1002],
    ['a new message inside a fragmented one', Buffer.concat([frame(0x1, 'a', { fin: false }), frame(0x1, 'b')]), 1002],
    ['a 64-bit length past 32 bits', Buffer.from([0x81, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]), 1009],
    ['a frame over the limit', frame(0x1, 'q'.repeat(2_000)), 1009],
    ['fragments adding up to over the limit', Buffer.concat([frame(0x1, 'q'.repeat(600), { fin: false }), frame(0x0, 'q'.repeat(600))]), 1009],
  ])('fails the connection on %s', (_what, input, code) => {
    const reader = new ClientFrameReader(1_024);
    const { sink } = collector();
    let error: unknown;
    try {
      reader.push(input, sink);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).closeCode).toBe(code);
  });

  it('refuses an oversized frame from its header alone, before its payload arrives', () => {
    const reader = new ClientFrameReader(1_024);
    const header = frame(0x1, 'q'.repeat(70_000)).subarray(0, 14);
    expect(() => reader.push(header, collector().sink)).toThrow(FrameError);
  });
});
