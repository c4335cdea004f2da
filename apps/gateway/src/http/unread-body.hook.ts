import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** What is read and thrown away of a refused body before answering; past it the connection is cut. */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
export const DRAIN_MAX_MS = 10_000;

/**
 * An answer sent before the request's body was read (a 413 over the body limit, a refused
 * upload, a 401 to an upload) closes the connection. Closing a socket with unread bytes in its
 * receive buffer makes the kernel send a reset, and a client still writing its 5 MB body then
 * sees ECONNRESET instead of the answer, depending on timing (issue 11). So the rest of the body
 * is read and discarded first, up to DRAIN_MAX_BYTES or DRAIN_MAX_MS, and the answer goes out
 * after, with `connection: close`; a client that sends more than that is cut off.
 */
export function useUnreadBodyDrain(fastify: FastifyInstance, limits = { bytes: DRAIN_MAX_BYTES, ms: DRAIN_MAX_MS }): void {
  fastify.addHook('onSend', async (req, reply, payload) => {
    const raw = req.raw;
    if (raw.complete || raw.destroyed || !hasBody(raw)) return payload;
    void reply.header('connection', 'close');
    const drained = await drain(raw, limits.bytes, limits.ms);
    if (!drained) reply.raw.once('finish', () => raw.socket.destroy());
    return payload;
  });
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Reads and drops what is left of the body; true once it has all been read. */
function drain(req: IncomingMessage, maxBytes: number, maxMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (all: boolean) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onEnd).off('close', onEnd);
      if (!all) req.pause();
      resolve(all);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) done(false);
    };
    const onEnd = () => done(req.complete);
    const timer = setTimeout(() => done(false), maxMs);
    req.on('data', onData).on('end', onEnd).on('error', onEnd).on('close', onEnd);
    req.unpipe();
    req.resume();
  });
}
