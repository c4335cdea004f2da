import http, { type IncomingMessage } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { pipeUpgrade, type PipedConnection, type PipeOptions } from './pipe-upgrade.js';

const HEAD_101 = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Listening {
  port: number;
  stop(): Promise<void>;
}

async function listen(server: net.Server, sockets: Set<net.Socket>): Promise<Listening> {
  server.on('connection', (s) => (sockets.add(s), s.on('error', () => undefined)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** An HTTP server that pipes every upgrade to `targetPort`. */
async function startProxy(targetPort: number, options: PipeOptions): Promise<Listening & { piped: PipedConnection[] }> {
  const piped: PipedConnection[] = [];
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req: IncomingMessage, socket, head) => piped.push(pipeUpgrade(req, socket, head, { host: '127.0.0.1', port: targetPort, path: '/up' }, options)));
  return { ...(await listen(server, new Set())), piped };
}

/**
 * A raw upstream: records the request head, answers 101 and `first`, and once the client's bytes
 * arrive waits `pauseMs` before writing `rest`. Everything the client's side sends is kept.
 */
async function startRawUpstream(first: Buffer, rest: Buffer, pauseMs: number) {
  const heads: string[] = [];
  const received: Buffer[] = [];
  const server = net.createServer((socket) => {
    let request = '';
    let answered = false;
    socket.on('data', async (chunk: Buffer) => {
      if (!request.includes('\r\n\r\n')) {
        request += chunk.toString('latin1');
        if (!request.includes('\r\n\r\n')) return;
        heads.push(request.slice(0, request.indexOf('\r\n\r\n')));
        socket.write(Buffer.concat([Buffer.from(HEAD_101), first]));
        chunk = Buffer.from(request.slice(request.indexOf('\r\n\r\n') + 4), 'latin1');
        if (chunk.length === 0) return;
      }
      received.push(chunk);
      if (answered) return;
      answered = true;
      await sleep(pauseMs);
      if (!socket.destroyed) socket.write(rest);
    });
  });
  return { ...(await listen(server, new Set())), heads, received };
}

function rawClient(port: number, extraHeaders: string) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  socket.write(
    'GET / HTTP/1.1\r\nHost: proxy\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
  );
  const afterHead = () => {
    const end = received.indexOf('\r\n\r\n');
    return end < 0 ? Buffer.alloc(0) : received.subarray(end + 4);
  };
  return { socket, afterHead };
}

async function until(probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await sleep(5);
  }
}

describe('pipeUpgrade options', () => {
  it('addHeaders: the upstream sees our header once, never the value a client sent under that name', async () => {
    const upstream = await startRawUpstream(Buffer.alloc(0), Buffer.alloc(0), 0);
    const proxy = await startProxy(upstream.port, { addHeaders: { 'x-hangar-internal-token': 'ours' } });
    try {
      const client = rawClient(proxy.port, 'X-Hangar-Internal-Token: theirs\r\nx-hangar-internal-token: again\r\nX-Other: kept\r\n');
      await until(() => upstream.heads.length === 1);
      const lines = upstream.heads[0]!.split('\r\n');
      expect(lines.filter((l) => /^x-hangar-internal-token:/i.test(l))).toEqual(['x-hangar-internal-token: ours']);
      expect(lines).toContain('X-Other: kept');
      client.socket.destroy();
    } finally {
      await proxy.stop();
      await upstream.stop();
    }
  });

  it('addHeaders: a value with a line break is refused before anything is sent', async () => {
    const upstream = await startRawUpstream(Buffer.alloc(0), Buffer.alloc(0), 0);
    const req = { rawHeaders: [] } as unknown as IncomingMessage;
    expect(() => pipeUpgrade(req, new PassThrough(), Buffer.alloc(0), { host: '127.0.0.1', port: upstream.port, path: '/' }, { addHeaders: { x: 'a\r\nInjected: 1' } })).toThrow(/line break/);
    await upstream.stop();
    expect(upstream.heads).toEqual([]);
  });

  it('clientFilter: the client bytes go through it, and its answer waits for the end of the upstream frame under way', async () => {
    // One 256-byte binary frame, its first 100 payload bytes now, the rest once the client spoke.
    const header = Buffer.from([0x82, 126, 0x01, 0x00]);
    const first = Buffer.concat([header, Buffer.alloc(100, 1)]);
    const rest = Buffer.alloc(156, 2);
    const upstream = await startRawUpstream(first, rest, 200);
    const answer = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    const proxy = await startProxy(upstream.port, {
      clientFilter: (toClient) => {
        const filter = new PassThrough();
        filter.on('data', () => toClient(answer));
        return filter;
      },
    });
    try {
      const client = rawClient(proxy.port, '');
      await until(() => client.afterHead().length >= first.length);
      const frame = Buffer.from([0x81, 0x83, 0, 0, 0, 0, 0x61, 0x62, 0x63]);
      client.socket.write(frame);
      await until(() => client.afterHead().length >= first.length + rest.length + answer.length);
      expect(client.afterHead().equals(Buffer.concat([first, rest, answer]))).toBe(true);
      expect(Buffer.concat(upstream.received).equals(frame)).toBe(true);
      client.socket.destroy();
    } finally {
      await proxy.stop();
      await upstream.stop();
    }
  });

  it('clientFilter: an error from the filter cuts the connection', async () => {
    const upstream = await startRawUpstream(Buffer.alloc(0), Buffer.alloc(0), 0);
    const proxy = await startProxy(upstream.port, {
      clientFilter: () => {
        const filter = new PassThrough();
        filter.once('data', () => filter.destroy(new Error('protocol violation')));
        return filter;
      },
    });
    try {
      const client = rawClient(proxy.port, '');
      const closed = new Promise<void>((resolve) => client.socket.once('close', () => resolve()));
      await until(() => upstream.heads.length === 1);
      client.socket.write(Buffer.from([0x81, 0x80, 0, 0, 0, 0]));
      await closed;
      expect(await proxy.piped[0]!.closed).toBe('filter-error');
    } finally {
      await proxy.stop();
      await upstream.stop();
    }
  });
});
