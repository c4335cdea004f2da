import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';

export type WsAttempt =
  | { ok: true; ws: WebSocket; next(): Promise<string> }
  | { ok: false; status: number; headers: IncomingMessage['headers']; body: any };

/** Opens a WebSocket as a CDP client would; a refused upgrade resolves with its HTTP answer. */
export function tryConnect(url: string, headers: Record<string, string> = {}): Promise<WsAttempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const inbox: string[] = [];
    const waiting: ((m: string) => void)[] = [];
    ws.on('message', (data) => {
      const m = data.toString();
      const w = waiting.shift();
      if (w) w(m);
      else inbox.push(m);
    });
    ws.once('open', () =>
      resolve({ ok: true, ws, next: () => new Promise((r) => (inbox.length ? r(inbox.shift()!) : waiting.push(r))) }),
    );
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ ok: false, status: res.statusCode ?? 0, headers: res.headers, body });
        ws.terminate();
      });
    });
    ws.once('error', (err) => reject(err));
  });
}

export function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve(1006);
    else ws.once('close', (code) => resolve(code));
  });
}

/**
 * Completes a WebSocket handshake by hand and then never sends another byte, not even a pong:
 * a client that vanished without a close frame, as the gateway sees it.
 */
export async function silentClient(url: string): Promise<{ socket: net.Socket; upgradedAt: number; closed: Promise<number> }> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  socket.write(
    `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let head = '';
  const upgradedAt = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      // Keep reading (pings), as a client whose kernel is still up would.
      socket.resume();
      if (head.startsWith('HTTP/1.1 101')) resolve(Date.now());
      else reject(new Error(`upgrade refused: ${head}`));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before the upgrade: ${head}`)));
  });
  return { socket, upgradedAt, closed };
}
