/**
 * What the CDP guard costs per client → Chromium message (`npm run bench` runs it first; alone:
 * `node apps/browser-node/dist/cdp/guard/guard.bench.js`). Two measurements:
 *
 * 1. In process: one masked frame written into cdpGuard until its output is pushed, per message
 *    shape (the fast path for ordinary calls, the slow path for a guarded one). This is the CPU the
 *    guard adds; the unguarded splice does nothing per message.
 * 2. End to end: Runtime.evaluate("1+1") round trips on a page session of one real Chromium,
 *    alternating between a plain splice (pipeUpgrade, as before the guard) and the guarded one
 *    (guardedPipeOptions, as CdpProxy uses it). p50(guarded) − p50(plain) is the added latency.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { pipeUpgrade, type PipeOptions } from '@hangar/upgrade-proxy';
import { startTestChromium } from '../../test/test-chromium.js';
import { cdpGuard } from './cdp-guard.stream.js';
import { guardedPipeOptions } from './guarded-pipe.js';

const IN_PROCESS_N = 20_000;
const ROUND_TRIPS = 2_000;
const WARMUP = 300;

const p = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: p(s, 0.5), p90: p(s, 0.9), p99: p(s, 0.99) };
};
const round = (ms: number) => Math.round(ms * 10_000) / 10_000;

function maskedClientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const key = randomBytes(4);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : payload.length < 65_536 ? Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]) : Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0]);
  if (payload.length >= 65_536) header.writeUInt32BE(payload.length, 6);
  return Buffer.concat([header, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

function inProcess(folders: { uploadsDir: string; downloadsDir: string }) {
  const shapes: [string, string][] = [
    ['Runtime.evaluate 1+1 (fast path)', JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: '1+1', returnByValue: true }, sessionId: 'A'.repeat(32) })],
    ['Input.dispatchMouseEvent (fast path)', JSON.stringify({ id: 2, method: 'Input.dispatchMouseEvent', params: { type: 'mouseMoved', x: 120, y: 340, button: 'none', modifiers: 0 }, sessionId: 'A'.repeat(32) })],
    ['Runtime.callFunctionOn, 4 KB (fast path)', JSON.stringify({ id: 3, method: 'Runtime.callFunctionOn', params: { functionDeclaration: `() => ${'x'.repeat(4_000)}`, objectId: '1.2.3' } })],
    ['Runtime.evaluate, 256 KB (fast path)', JSON.stringify({ id: 4, method: 'Runtime.evaluate', params: { expression: `"${'y'.repeat(256_000)}"` } })],
    ['Page.navigate (slow path: parsed, checked, re-serialized)', JSON.stringify({ id: 5, method: 'Page.navigate', params: { url: 'https://example.com/' }, sessionId: 'A'.repeat(32) })],
  ];
  return shapes.map(([name, text]) => {
    const guard = cdpGuard({ folders, toClient: () => undefined });
    let out = 0;
    guard.on('data', (chunk: Buffer) => (out += chunk.length));
    const frame = maskedClientFrame(text);
    const n = text.length > 100_000 ? IN_PROCESS_N / 20 : IN_PROCESS_N;
    const samples: number[] = [];
    for (let i = 0; i < n + WARMUP; i++) {
      const t0 = performance.now();
      guard.write(frame);
      if (i >= WARMUP) samples.push(performance.now() - t0);
    }
    if (out === 0) throw new Error(`${name}: nothing came out of the guard`);
    const s = summary(samples);
    return { message: name, bytes: text.length, p50Ms: round(s.p50), p99Ms: round(s.p99), n: s.n };
  });
}

async function splice(port: number, browserPath: string, options: PipeOptions): Promise<{ url: string; close(): void }> {
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => pipeUpgrade(req, socket, head, { host: '127.0.0.1', port, path: browserPath }, options));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => {
    // Both: the listening socket would keep the bench process alive after its last line.
    server.close();
    server.closeAllConnections();
  } };
}

/** A raw client on a page session: send, await the answer with that id. */
async function pageClient(url: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const waiting = new Map<number, (m: any) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  let id = 0;
  const call = (method: string, params: object, sessionId?: string) =>
    new Promise<any>((resolve) => {
      waiting.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const { targetInfos } = (await call('Target.getTargets', {})).result;
  const target = targetInfos.find((t: { type: string }) => t.type === 'page');
  const { sessionId } = (await call('Target.attachToTarget', { targetId: target.targetId, flatten: true })).result;
  return {
    evaluate: async () => {
      const t0 = performance.now();
      const answer = await call('Runtime.evaluate', { expression: '1+1', returnByValue: true }, sessionId);
      if (answer.result?.result?.value !== 2) throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
      return performance.now() - t0;
    },
    close: () => ws.close(),
  };
}

async function endToEnd(folders: { uploadsDir: string; downloadsDir: string }, dir: string) {
  const chromium = await startTestChromium(path.join(dir, 'profile'));
  const plain = await splice(chromium.port, chromium.browserPath, { dropHeaders: ['origin'] });
  const guarded = await splice(chromium.port, chromium.browserPath, guardedPipeOptions(folders));
  try {
    const [a, b] = [await pageClient(plain.url), await pageClient(guarded.url)];
    for (let i = 0; i < WARMUP; i++) await Promise.all([a.evaluate(), b.evaluate()]);
    const plainMs: number[] = [];
    const guardedMs: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      // Alternating order, so neither path always runs on a warmer machine.
      if (i % 2 === 0) {
        plainMs.push(await a.evaluate());
        guardedMs.push(await b.evaluate());
      } else {
        guardedMs.push(await b.evaluate());
        plainMs.push(await a.evaluate());
      }
    }
    a.close();
    b.close();
    const [ps, gs] = [summary(plainMs), summary(guardedMs)];
    return { method: 'Runtime.evaluate("1+1") on a page session', n: ROUND_TRIPS, plainP50Ms: round(ps.p50), guardedP50Ms: round(gs.p50), addedP50Ms: round(gs.p50 - ps.p50), addedP99Ms: round(gs.p99 - ps.p99) };
  } finally {
    plain.close();
    guarded.close();
    await chromium.stop();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-guard-bench-'));
const folders = { uploadsDir: path.join(dir, 'uploads'), downloadsDir: path.join(dir, 'downloads') };
try {
  const cpu = inProcess(folders);
  const e2e = await endToEnd(folders, dir);
  process.stderr.write('[guard bench] in process, per message (the guard is all the splice does per message):\n');
  for (const row of cpu) process.stderr.write(`  ${row.message.padEnd(58)} ${String(row.bytes).padStart(7)} B   p50 ${row.p50Ms.toFixed(4)} ms   p99 ${row.p99Ms.toFixed(4)} ms\n`);
  process.stderr.write(
    `[guard bench] round trip through a real Chromium, n=${e2e.n}: plain p50 ${e2e.plainP50Ms} ms, guarded p50 ${e2e.guardedP50Ms} ms, added p50 ${e2e.addedP50Ms} ms (p99 ${e2e.addedP99Ms} ms); goal ≤ +0.05 ms\n`,
  );
  process.stdout.write(`${JSON.stringify({ guard: { inProcess: cpu, roundTrip: e2e } })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
