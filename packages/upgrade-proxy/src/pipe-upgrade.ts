import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { keepClientAlive, type KeepaliveOptions } from './client-keepalive.js';
import { ServerFrameInjector } from './server-frame.injector.js';

export interface UpgradeTarget {
  host: string;
  port: number;
  path: string;
}

export interface PipeOptions {
  /** Request headers not to forward (lower-case), e.g. `origin` towards Chromium. */
  dropHeaders?: readonly string[];
  /**
   * Request headers to add (e.g. an internal token). A header of the same name sent by the client
   * is dropped, never forwarded: the upstream sees only ours.
   */
  addHeaders?: Readonly<Record<string, string>>;
  /**
   * Client → upstream bytes after the request head go through this stream instead of straight
   * to the upstream (a guard that reads, rewrites or refuses the client's frames). `toClient`
   * writes a frame of its own to the client, whole, between two of the upstream's frames. An
   * 'error' from the filter cuts the connection (`closed` resolves `'filter-error'`).
   */
  clientFilter?: (toClient: (frame: Buffer) => void) => Duplex;
  connectTimeoutMs?: number;
  /**
   * Ping a quiet client and cut one that stays silent (client-keepalive.ts). Off by default: the
   * pipe then never looks at a byte. Only for a client speaking to a WebSocket server upstream.
   */
  keepalive?: KeepaliveOptions;
  /**
   * Sees every upstream → client chunk after it was handed to the client (a log tap). It must
   * only queue the chunk: it runs on the splice's turn. Absent, no listener is added at all.
   */
  onUpstreamData?: (chunk: Buffer) => void;
}

/** Why a piped connection ended: either side closed or failed, the keepalive gave up, or `close()`. */
export type PipeEnd = 'peer' | 'idle-timeout' | 'filter-error' | 'closed';

export interface PipedConnection {
  /** Resolves once both directions are closed, whoever closed first, with why it ended. */
  readonly closed: Promise<PipeEnd>;
  close(): void;
}

const HOP_BY_HOP = new Set(['host', 'content-length', 'transfer-encoding']);

/**
 * Forwards a WebSocket upgrade to `target` and then splices the two sockets byte for byte.
 * Frames are never copied (nor, without `keepalive`, parsed): the upstream's 101 and every frame after it go straight
 * through, `pipe` gives backpressure both ways, and Nagle is off on both sockets because CDP is
 * small request/response messages where a 40 ms delayed-ACK stall dominates everything else.
 * With `keepalive`, frame headers towards the client are followed (never the payloads) so pings
 * can be slipped in between frames. With `clientFilter`, the client's bytes pass through the
 * filter, and its answers are slipped in between the upstream's frames the same way.
 */
export function pipeUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: UpgradeTarget, options: PipeOptions = {}): PipedConnection {
  const added = Object.entries(options.addHeaders ?? {});
  // A CR or LF would let a value end the head early and smuggle headers of its own.
  for (const [name, value] of added) if (/[\r\n]/.test(name + value)) throw new Error(`header ${JSON.stringify(name)} has a line break`);
  const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
  if (client instanceof net.Socket) client.setNoDelay(true);
  const drop = new Set([...HOP_BY_HOP, ...(options.dropHeaders ?? []), ...added.map(([name]) => name.toLowerCase())]);

  let lines = `GET ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!drop.has(name.toLowerCase())) lines += `${name}: ${req.rawHeaders[i + 1]}\r\n`;
  }
  for (const [name, value] of added) lines += `${name}: ${value}\r\n`;
  lines += '\r\n';

  let connected = false;
  const timer = setTimeout(() => {
    if (!connected) upstream.destroy(new Error('upstream connect timeout'));
  }, options.connectTimeoutMs ?? 5_000);

  let end: PipeEnd = 'peer';
  const cut = (why: PipeEnd) => {
    // Once either side is gone the connection already ended, for the peer's reason.
    if (!upstream.destroyed && !client.destroyed) end = why;
    upstream.destroy();
    client.destroy();
  };
  const closed = new Promise<PipeEnd>((resolve) => {
    let pending = 2;
    const done = () => {
      if (--pending === 0) resolve(end);
    };
    upstream.once('close', done);
    client.once('close', done);
  });

  upstream.once('connect', () => {
    connected = true;
    clearTimeout(timer);
    upstream.write(lines);
    upstream.pipe(client);
    // Added after pipe(): the client's write comes first, the tap's queueing second.
    if (options.onUpstreamData) upstream.on('data', options.onUpstreamData);
    if (options.clientFilter) {
      const injector = new ServerFrameInjector(upstream, client);
      upstream.once('close', () => injector.stop());
      const filter = options.clientFilter((frame) => injector.send(frame));
      filter.once('error', () => cut('filter-error'));
      if (head.length > 0) filter.write(head);
      filter.pipe(upstream);
      client.pipe(filter);
    } else {
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
    }
    if (options.keepalive) {
      const stop = keepClientAlive(upstream, client, options.keepalive, () => cut('idle-timeout'));
      upstream.once('close', stop);
      client.once('close', stop);
    }
  });
  upstream.once('error', () => {
    clearTimeout(timer);
    if (!connected && client.writable) {
      reject(client, 502, 'Bad Gateway', 'the browser for this session is not reachable');
    } else {
      client.destroy();
    }
  });
  client.once('error', () => upstream.destroy());
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => {
    clearTimeout(timer);
    client.destroy();
  });

  return { closed, close: () => cut('closed') };
}

/** Answers an upgrade request with a plain HTTP error in the API's JSON error shape. */
export function reject(socket: Duplex, statusCode: number, error: string, message: string, extraHeaders: Record<string, string> = {}): void {
  const body = JSON.stringify({ statusCode, error, message });
  let head = `HTTP/1.1 ${statusCode} ${error}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(extraHeaders)) head += `${k}: ${v}\r\n`;
  socket.end(`${head}\r\n${body}`);
}
