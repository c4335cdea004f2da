import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';

export type WsAttempt =
  | { ok: true; ws: WebSocket; next(): Promise<string> }
  | { ok: false; status: number; headers: IncomingMessage['headers']; body: any };

/** Opens a WebSocket as a CDP client would; a refused upgrade resolves with its HTTP answer. */
export function tryConnect(url: string): Promise<WsAttempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
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
