import { EventEmitter } from 'node:events';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { eventually } from '@hangar/testing';
import { startTestChromium, type TestChromium } from '../test/test-chromium.js';
import { bridgeScreencast } from './screencast.bridge.js';

/**
 * A viewer as the bridge sees it: the send callback (the socket took the frame) fires only when
 * the test says so, and bufferedAmount is what the test sets. Chromium is real.
 */
class HeldViewer extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly frames: string[] = [];
  readonly held: Array<() => void> = [];
  send(data: string, done?: (err?: Error) => void) {
    if (JSON.parse(data).type === 'frame') this.frames.push(data);
    this.held.push(() => done?.());
  }
  release() {
    for (const done of this.held.splice(0)) done();
  }
  close() {
    this.readyState = WebSocket.CLOSED;
  }
}

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;

let chromium: TestChromium;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hangar-cast-'));
  chromium = await startTestChromium(dir);
});
afterAll(async () => {
  await chromium?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function animatedPage(): Promise<string> {
  // No % or # in it: it travels as a data: URL.
  const html = "<body style='margin:0'><div id='d' style='width:100vw;height:100vh'></div><script>let i=0;(function f(){d.style.background='rgb('+(i++&255)+',0,0)';requestAnimationFrame(f)})()</script>";
  const created = await new Promise<{ id: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: chromium.port, method: 'PUT', path: `/json/new?${encodeURIComponent(`data:text/html,${html}`)}` }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
  return created.id;
}

it('acks a frame only once the viewer took it: an animated page stalls at Chromium’s few in flight, then flows again', async () => {
  const targetId = await animatedPage();
  const viewer = new HeldViewer();
  bridgeScreencast(viewer as unknown as WebSocket, { port: chromium.port, targetId, readOnly: true, logger, sessionId: 's' });
  await eventually(() => viewer.frames.length, (n) => n >= 1, 10_000);
  await new Promise((r) => setTimeout(r, 1_500));
  // 60 fps for 1.5 s would be ~90 frames; un-acked, Chromium stops after a handful.
  const stalled = viewer.frames.length;
  expect(stalled).toBeLessThanOrEqual(5);

  // The socket took them, but its buffer is still full: still no ack.
  viewer.bufferedAmount = 10 * 1024 * 1024;
  viewer.release();
  await new Promise((r) => setTimeout(r, 500));
  expect(viewer.frames.length).toBeLessThanOrEqual(stalled + 5);

  // Drained: frames flow, each acked as it is taken.
  viewer.bufferedAmount = 0;
  const flowing = setInterval(() => viewer.release(), 10);
  await eventually(() => viewer.frames.length, (n) => n >= stalled + 20, 10_000);
  clearInterval(flowing);
  viewer.emit('close');
});
