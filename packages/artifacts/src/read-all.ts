import type { Readable } from 'node:stream';

/** A stream's bytes as one buffer (for `get`; `stream` is the way for large artifacts). */
export async function readAll(stream: Readable | undefined): Promise<Buffer | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
