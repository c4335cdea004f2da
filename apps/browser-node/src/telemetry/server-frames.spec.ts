import { ServerFrameReader } from './server-frames.js';

const HEAD = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n');

function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, len]) : len < 65536 ? Buffer.from([(fin ? 0x80 : 0) | opcode, 126, len >> 8, len & 0xff]) : Buffer.alloc(10);
  if (len >= 65536) {
    head[0] = (fin ? 0x80 : 0) | opcode;
    head[1] = 127;
    head.writeUInt32BE(0, 2);
    head.writeUInt32BE(len, 6);
  }
  return Buffer.concat([head, payload]);
}

function read(bytes: Buffer, chunkSize: number, keep = 1 << 20) {
  const out: Array<{ text: string; length: number }> = [];
  const reader = new ServerFrameReader(keep);
  for (let i = 0; i < bytes.length; i += chunkSize) reader.push(bytes.subarray(i, i + chunkSize), (text, length) => out.push({ text, length }));
  return out;
}

describe('ServerFrameReader', () => {
  const big = Buffer.from(JSON.stringify({ id: 3, result: { data: 'y'.repeat(70_000) } }));
  const stream = Buffer.concat([
    HEAD,
    frame(0x1, Buffer.from('{"id":1,"result":{}}')),
    frame(0x9, Buffer.from('ping')),
    frame(0x1, Buffer.from('{"method":"A'), false),
    frame(0xa, Buffer.from('pong')),
    frame(0x0, Buffer.from('.b","params":{}}')),
    frame(0x2, Buffer.from([1, 2, 3])),
    frame(0x1, big),
    frame(0x1, Buffer.alloc(0)),
  ]);

  it.each([1, 7, 1000, stream.length])('reads text messages across chunks of %i bytes, skipping control and binary frames', (size) => {
    expect(read(stream, size)).toEqual([
      { text: '{"id":1,"result":{}}', length: 20 },
      { text: '{"method":"A.b","params":{}}', length: 28 },
      { text: big.toString(), length: big.length },
      { text: '', length: 0 },
    ]);
  });

  it('keeps only a prefix of a message over its limit, with the whole length', () => {
    const got = read(stream, 4096, 16);
    expect(got[2]).toEqual({ text: big.subarray(0, 16).toString(), length: big.length });
  });
});
