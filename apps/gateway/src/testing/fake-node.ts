import type { IncomingMessage } from 'node:http';
import { WebSocketServer } from 'ws';

export interface FakeNode {
  port: number;
  endpointFor(sessionId: string): string;
  /** Upgrade requests that reached the node, in order. */
  upgrades: { url: string; headers: IncomingMessage['headers'] }[];
  /** URLs of connections that have closed, in order. */
  disconnects: string[];
  stop(): Promise<void>;
}

/**
 * A browser-node's session endpoint as the gateway sees it: a WebSocket server at
 * `/sessions/<id>` that echoes every message with the session id in front, so a test proves
 * its bytes went through the gateway to the right session and back.
 */
export async function startFakeNode(): Promise<FakeNode> {
  const upgrades: FakeNode['upgrades'] = [];
  const disconnects: string[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws, req) => {
    upgrades.push({ url: req.url ?? '', headers: req.headers });
    const sessionId = (req.url ?? '').split('/').pop();
    ws.on('message', (data) => ws.send(`${sessionId}:${data.toString()}`));
    ws.once('close', () => disconnects.push(req.url ?? ''));
  });
  const port = (wss.address() as { port: number }).port;
  return {
    port,
    endpointFor: (sessionId) => `ws://127.0.0.1:${port}/sessions/${sessionId}`,
    upgrades,
    disconnects,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
