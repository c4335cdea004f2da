import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { pipeUpgrade, type PipedConnection, type PipeOptions } from './pipe-upgrade.js';

const INTERVAL_MS = 300;
const TIMEOUT_MS = 1500;
const PING = [0x89, 0x00];

interface Proxy {
  port: number;
  piped: PipedConnection[];
  stop(): Promise<void>;
}

/** An HTTP server that pipes every upgrade to `targetPort` with pipeUpgrade. */
async function startProxy(targetPort: number, options: PipeOptions): Promise<Proxy> {
  const target = { host: '127.0.0.1', port: targetPort, path: '/' };
  const piped: PipedConnection[] = [];
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => piped.push(pipeUpgrade(req, socket, head, target, options)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    piped,
    async stop() {
      for (const p of piped) p.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function startWsUpstream(): Promise<WebSocketServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return wss;
}

function stopWsUpstream(wss: WebSocketServer): Promise<void> {
  for (const ws of wss.clients) ws.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}

type Step = Buffer | string | number;

/**
 * An upstream that speaks raw bytes: after the upgrade request it plays `steps` (bytes to write,
 * or milliseconds to wait), so a test decides exactly where the stream pauses — mid-head, mid-header,
 * mid-payload — while the proxy's ping clock runs.
 */
async function startRawUpstream(steps: Step[]): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let request = '';
    socket.on('data', async (chunk) => {
      if (request.includes('\r\n\r\n')) return;
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      for (const step of steps) {
        if (typeof step === 'number') await sleep(step);
        else if (!socket.destroyed) socket.write(step);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const HEAD_101 = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

/**
 * A client that completes the WebSocket handshake by hand and then never writes another byte —
 * not even a pong: what a vanished client looks like from the proxy. It keeps reading.
 */
async function silentClient(port: number): Promise<{ socket: net.Socket; afterHead: () => Buffer; upgradedAt: number; closed: Promise<number> }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  socket.write(
    'GET / HTTP/1.1\r\nHost: proxy\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const upgradedAt = await new Promise<number>((resolve, reject) => {
    const poll = setInterval(() => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0 && !socket.destroyed) return;
      clearInterval(poll);
      if (end >= 0 && received.subarray(0, 12).toString() === 'HTTP/1.1 101') resolve(Date.now());
      else reject(new Error(`no 101: ${received.toString()}`));
    }, 1);
  });
  const headLength = received.indexOf('\r\n\r\n') + 4;
  return { socket, afterHead: () => received.subarray(headLength), upgradedAt, closed };
}

function openClient(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Splits bytes into [whole frames of ours…, then only pings]: everything after `prefix` must be pings. */
function expectOnlyPingsAfter(received: Buffer, prefix: Buffer, minPings: number): void {
  expect(received.subarray(0, prefix.length).equals(prefix)).toBe(true);
  const rest = [...received.subarray(prefix.length)];
  expect(rest.length).toBeGreaterThanOrEqual(minPings * 2);
  expect(rest).toEqual(Array.from({ length: rest.length }, (_, i) => PING[i % 2]));
}

describe('keepalive against a real ws server', () => {
  let upstream: WebSocketServer;
  let proxy: Proxy;
  beforeAll(async () => {
    upstream = await startWsUpstream();
    proxy = await startProxy((upstream.address() as AddressInfo).port, { keepalive: { intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS } });
  });
  afterAll(async () => {
    await proxy?.stop();
    if (upstream) await stopWsUpstream(upstream);
  });

  it('a client that goes silent after the handshake is pinged, then cut at the timeout, upstream too', async () => {
    const upstreamClosed = new Promise<void>((resolve) => upstream.once('connection', (ws) => ws.once('close', () => resolve())));
    const client = await silentClient(proxy.port);
    const silentFor = (await client.closed) - client.upgradedAt;
    expect(silentFor).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(silentFor).toBeLessThan(TIMEOUT_MS * 2);
    // Pings at ~100, 200 and 300 ms of silence: unmasked, empty, each a whole frame of its own.
    expectOnlyPingsAfter(client.afterHead(), Buffer.alloc(0), 3);
    await upstreamClosed;
    expect(await proxy.piped.at(-1)!.closed).toBe('idle-timeout');
  });

  it('a live client (answering pings on its own) idle well past the timeout stays connected', async () => {
    upstream.once('connection', (ws) => ws.on('message', (m) => ws.send(`echo:${m.toString()}`)));
    const ws = await openClient(proxy.port);
    let pings = 0;
    ws.on('ping', () => pings++);
    await sleep(TIMEOUT_MS * 2.5);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(pings).toBeGreaterThanOrEqual(3);
    const reply = new Promise<string>((resolve) => ws.once('message', (m) => resolve(m.toString())));
    ws.send('still here');
    expect(await reply).toBe('echo:still here');
    ws.close();
  });

  it('a client receiving a stream of messages of every length encoding gets every byte intact, and pings', async () => {
    const sizes = [10, 125, 126, 3_000, 65_535, 65_536, 300_000];
    let sent = 0;
    // Streams on 'go', so the client's listeners are in place; from then on the client only pongs.
    upstream.once('connection', (ws) =>
      ws.once('message', async () => {
        const until = Date.now() + 3 * INTERVAL_MS;
        while (Date.now() < until) {
          const i = sent++;
          await new Promise((resolve) => ws.send(Buffer.alloc(sizes[i % sizes.length]!, i % 251), resolve));
          if (i % sizes.length === 0) await sleep(1);
        }
        ws.send('done');
      }),
    );
    const ws = await openClient(proxy.port);
    let pings = 0;
    const errors: Error[] = [];
    ws.on('ping', () => pings++);
    ws.on('error', (err) => errors.push(err));
    const received: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer, isBinary) => (isBinary ? received.push(data) : resolve()));
      ws.once('close', () => reject(new Error(`closed early: ${errors.map(String).join('; ')}`)));
    });
    ws.send('go');
    await done;
    expect(errors).toEqual([]);
    expect(received).toHaveLength(sent);
    received.forEach((m, i) => {
      expect(m.length).toBe(sizes[i % sizes.length]);
      expect(m.every((b) => b === i % 251)).toBe(true);
    });
    expect(pings).toBeGreaterThanOrEqual(1);
    ws.close();
  });
});

describe('pings wait for a frame boundary', () => {
  const cases: [string, Step[], Buffer][] = [
    // The upstream stalls for several ping intervals at each awkward place; nothing may be injected there.
    ['mid-way through the 101 head', [HEAD_101.slice(0, 40), 250, HEAD_101.slice(40)], Buffer.alloc(0)],
    [
      'mid-way through a 16-bit extended length',
      [HEAD_101, Buffer.from([0x82, 126, 0x01]), 250, Buffer.from([0x00]), Buffer.alloc(256, 7)],
      Buffer.concat([Buffer.from([0x82, 126, 0x01, 0x00]), Buffer.alloc(256, 7)]),
    ],
    [
      'mid-way through a 64-bit frame payload',
      [HEAD_101, Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]), Buffer.alloc(30_000, 1), 250, Buffer.alloc(35_536, 2)],
      Buffer.concat([Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]), Buffer.alloc(30_000, 1), Buffer.alloc(35_536, 2)]),
    ],
    [
      'between two fragments of a message, after a complete frame',
      [HEAD_101, Buffer.from([0x01, 2, 0x61, 0x62]), 250, Buffer.from([0x80, 1, 0x63])],
      // A ping may sit between fragments (RFC 6455 §5.4); the test only asks that frames stay whole.
      Buffer.alloc(0),
    ],
  ];

  it.each(cases)('%s', async (what, steps, framesFirst) => {
    const upstream = await startRawUpstream(steps);
    const proxy = await startProxy(upstream.port, { keepalive: { intervalMs: 30, timeoutMs: 600 } });
    try {
      const client = await silentClient(proxy.port);
      await sleep(400);
      const received = client.afterHead();
      if (what.startsWith('between')) {
        // [frame 1][pings…][frame 2][pings…]
        expect([...received.subarray(0, 4)]).toEqual([0x01, 2, 0x61, 0x62]);
        const frame2 = received.indexOf(Buffer.from([0x80, 1, 0x63]), 4);
        expect(frame2).toBeGreaterThan(4);
        expectOnlyPingsAfter(received.subarray(4, frame2), Buffer.alloc(0), 3);
        expectOnlyPingsAfter(received.subarray(frame2 + 3), Buffer.alloc(0), 1);
      } else {
        expectOnlyPingsAfter(received, framesFirst, 1);
      }
      client.socket.destroy();
    } finally {
      await proxy.stop();
      await upstream.stop();
    }
  });
});

describe('without keepalive the pipe stays byte for byte', () => {
  it('a silent client is neither pinged nor cut', async () => {
    const upstream = await startWsUpstream();
    const proxy = await startProxy((upstream.address() as AddressInfo).port, {});
    try {
      const client = await silentClient(proxy.port);
      await sleep(TIMEOUT_MS + 200);
      expect(client.socket.destroyed).toBe(false);
      expect(client.afterHead().length).toBe(0);
      client.socket.destroy();
      await client.closed;
    } finally {
      await proxy.stop();
      await stopWsUpstream(upstream);
    }
  });
});
