/** RFC 6455 frames the guard writes itself: re-framed messages to Chromium, answers to the client. */

function frameHeader(opcode: number, length: number, masked: boolean): Buffer {
  const maskBytes = masked ? 4 : 0;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.alloc(2 + maskBytes);
    header[1] = maskBit | length;
  } else if (length < 65_536) {
    header = Buffer.alloc(4 + maskBytes);
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10 + maskBytes);
    header[1] = maskBit | 127;
    header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    header.writeUInt32BE(length >>> 0, 6);
  }
  header[0] = 0x80 | opcode;
  // Buffer.alloc zero-fills: the mask key is 0, legal (RFC 6455 §5.3 asks only that it be
  // unpredictable to the page, which matters for browsers, not for us), and XOR with 0 means the
  // payload goes out as it is, without a masking pass.
  return header;
}

/** One final masked frame towards Chromium (a client must mask), mask key 0: header and payload as they are. */
export function maskedFrame(opcode: number, payload: Buffer): Buffer {
  return Buffer.concat([frameHeader(opcode, payload.length, true), payload]);
}

/** One final unmasked text frame towards the client (a server must not mask). */
export function serverTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([frameHeader(0x1, payload.length, false), payload]);
}
