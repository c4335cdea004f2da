import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { processesMatching } from '@hangar/chromium';
import { subjects, type ContextEvent } from '@hangar/contracts';
import { contextAggregate, contextProfileKey } from '@hangar/domain';
import { executeCommand } from '@hangar/messaging';
import { connect, firstPage, useNodeFixture } from '../test/node-fixture.js';
import { requestSession, startOnNode, stopOnNode, type RunningNode } from '../test/node-harness.js';

/*
 * Contexts end to end on one node: real Chromium, NATS and the node's fs artifact store. A
 * persisting session's cookies (a session cookie too), localStorage and IndexedDB are in the
 * context by the time its end is recorded, and the next session with the context starts with them.
 */
const fx = useNodeFixture();
const contextKey = randomBytes(32).toString('hex');
let node: RunningNode;
let site: http.Server;
let origin: string;

beforeAll(async () => {
  site = http.createServer((req, res) => {
    if (req.url === '/login') res.setHeader('set-cookie', ['persistent=kept; Max-Age=86400; Path=/', 'session=also-kept; Path=/']);
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>site</title>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  node = await fx.launchNode('ctx-node', { HANGAR_CONTEXT_KEY: contextKey, HANGAR_WARM_POOL: '0' });
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => site.close(resolve));
});

async function createContext(projectId = 'p-test'): Promise<string> {
  const contextId = randomUUID();
  await executeCommand(fx.h.store, contextAggregate, contextId, { type: 'Create', contextId, projectId, publicKey: 'PEM' }, { correlationId: 'test' });
  return contextId;
}

const contextEvents = async (contextId: string) => (await fx.h.store.read(subjects.contextEvents(contextId))).map((e) => e.event as ContextEvent);

async function start(contextId: string, persist: boolean) {
  const sessionId = await requestSession(fx.h, node.nodeId, { browserSettings: { context: { id: contextId, persist } } });
  const reply = await startOnNode(fx.h, node.nodeId, sessionId);
  if (!reply.ok) throw new Error(`start refused: ${reply.error.message}`);
  return { sessionId, endpoint: reply.value.endpoint! };
}

/** What the page at `origin` finds of a previous session: cookies, localStorage, IndexedDB. */
async function stateSeen(endpoint: string) {
  const browser = await connect(endpoint);
  fx.browsers.push(browser);
  const page = await firstPage(browser);
  await page.goto(`${origin}/`);
  return page.evaluate(async () => {
    const idb = await new Promise<unknown>((resolve) => {
      const open = indexedDB.open('shop', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('cart');
      open.onsuccess = () => {
        const get = open.result.transaction('cart').objectStore('cart').get('item');
        get.onsuccess = () => resolve(get.result ?? null);
      };
    });
    return { cookie: document.cookie, local: localStorage.getItem('token'), idb };
  });
}

async function leaveState(endpoint: string, marker: string, filler = 0) {
  const browser = await connect(endpoint);
  fx.browsers.push(browser);
  const page = await firstPage(browser);
  await page.goto(`${origin}/login`);
  await page.evaluate(async (m) => {
    localStorage.setItem('token', m.marker);
    await new Promise<void>((resolve) => {
      const open = indexedDB.open('shop', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('cart');
      open.onsuccess = () => {
        const tx = open.result.transaction('cart', 'readwrite');
        tx.objectStore('cart').put({ sku: m.marker }, 'item');
        if (m.filler) tx.objectStore('cart').put('x'.repeat(m.filler), 'filler');
        tx.oncomplete = () => resolve();
      };
    });
  }, { marker, filler });
  await browser.disconnect();
}

describe('contexts on a browser node', () => {
  it('saves a persisting session\'s profile before its end is recorded, and the next session starts from it', async () => {
    const contextId = await createContext();
    const first = await start(contextId, true);
    await leaveState(first.endpoint, 'm1');
    expect(await stopOnNode(fx.h, node.nodeId, first.sessionId)).toMatchObject({ ok: true, value: { status: 'COMPLETED' } });
    // Recorded before the stop answered: no waiting, unlike upstream's "wait for the context to persist".
    const saved = (await contextEvents(contextId)).filter((e) => e.type === 'ContextSaved');
    expect(saved.map((e) => e.data)).toEqual([expect.objectContaining({ version: 1, sessionId: first.sessionId })]);
    // Sealed at rest: the stored object holds nothing readable of the profile.
    const stored = readFileSync(path.join(fx.h.dir, 'artifacts', saved[0]!.data.key));
    expect(stored.subarray(0, 8).toString()).toBe('HGRCTX2\n');
    expect(stored.includes(Buffer.from('also-kept'))).toBe(false);

    const second = await start(contextId, false);
    // The browser started while the restore still wrote the late stores (IndexedDB among them).
    const restored = node.logs.find((l) => l.includes('context profile restored') && l.includes(second.sessionId))!;
    const { earlyMs, restoreMs } = JSON.parse(restored.slice(restored.indexOf('{'))) as { earlyMs?: number; restoreMs: number };
    expect(earlyMs).toBeLessThanOrEqual(restoreMs);
    expect(await stateSeen(second.endpoint)).toEqual({ cookie: expect.stringContaining('persistent=kept'), local: 'm1', idb: { sku: 'm1' } });
    expect(await stateSeen(second.endpoint)).toMatchObject({ cookie: expect.stringContaining('session=also-kept') });
    await stopOnNode(fx.h, node.nodeId, second.sessionId);
    // Not persisting: nothing saved.
    expect((await contextEvents(contextId)).filter((e) => e.type === 'ContextSaved')).toHaveLength(1);
  }, 90_000);

  it('two persisting sessions ending together save two whole versions; the last one recorded is the context', async () => {
    const contextId = await createContext();
    const [a, b] = [await start(contextId, true), await start(contextId, true)];
    await leaveState(a.endpoint, 'from-a');
    await leaveState(b.endpoint, 'from-b');
    await Promise.all([stopOnNode(fx.h, node.nodeId, a.sessionId), stopOnNode(fx.h, node.nodeId, b.sessionId)]);
    const saves = (await contextEvents(contextId)).filter((e) => e.type === 'ContextSaved');
    expect(saves.map((e) => e.data.version)).toEqual([1, 2]);
    const last = saves[1]!.data.sessionId === a.sessionId ? 'from-a' : 'from-b';
    const next = await start(contextId, false);
    expect(await stateSeen(next.endpoint)).toMatchObject({ local: last, idb: { sku: last } });
    await stopOnNode(fx.h, node.nodeId, next.sessionId);
  }, 90_000);

  it('records no save for a context deleted while its session ran, and stores nothing for it', async () => {
    const contextId = await createContext();
    const s = await start(contextId, true);
    await leaveState(s.endpoint, 'gone');
    await executeCommand(fx.h.store, contextAggregate, contextId, { type: 'Delete', projectId: 'p-test' }, { correlationId: 'test' });
    expect(await stopOnNode(fx.h, node.nodeId, s.sessionId)).toMatchObject({ ok: true, value: { status: 'COMPLETED' } });
    expect((await contextEvents(contextId)).map((e) => e.type)).toEqual(['ContextCreated', 'ContextDeleted']);
    expect(node.logs.some((l) => l.includes(contextId) && l.includes('context deleted while the session ran'))).toBe(true);
    // A new session naming it does not start.
    const sessionId = await requestSession(fx.h, node.nodeId, { browserSettings: { context: { id: contextId } } });
    expect(await startOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: false, error: { code: 'LAUNCH_FAILED', message: expect.stringContaining('not a context of this project') } });
  }, 90_000);

  it('a save that fails half-way (past the cap) records nothing: the context keeps its last whole profile', async () => {
    const capped = await fx.launchNode('ctx-capped', { HANGAR_CONTEXT_KEY: contextKey, HANGAR_WARM_POOL: '0', HANGAR_CONTEXT_MAX_BYTES: String(2 * 1024 * 1024) });
    const contextId = await createContext();
    const on = async (persist: boolean) => {
      const sessionId = await requestSession(fx.h, capped.nodeId, { browserSettings: { context: { id: contextId, persist } } });
      const reply = await startOnNode(fx.h, capped.nodeId, sessionId);
      if (!reply.ok) throw new Error(reply.error.message);
      return { sessionId, endpoint: reply.value.endpoint! };
    };
    const small = await on(true);
    await leaveState(small.endpoint, 'small');
    await stopOnNode(fx.h, capped.nodeId, small.sessionId);
    const big = await on(true);
    await leaveState(big.endpoint, 'x'.repeat(3 * 1024 * 1024));
    expect(await stopOnNode(fx.h, capped.nodeId, big.sessionId)).toMatchObject({ ok: true, value: { status: 'COMPLETED' } });
    expect((await contextEvents(contextId)).filter((e) => e.type === 'ContextSaved').map((e) => e.data.sessionId)).toEqual([small.sessionId]);
    expect(capped.logs.some((l) => l.includes(big.sessionId) && l.includes('persist hook failed'))).toBe(true);
    // Nothing of the failed save is stored.
    expect(existsSync(path.join(fx.h.dir, 'artifacts', contextProfileKey('p-test', contextId, big.sessionId)))).toBe(false);
    const after = await on(false);
    expect(await stateSeen(after.endpoint)).toMatchObject({ local: 'small', idb: { sku: 'small' } });
    await stopOnNode(fx.h, capped.nodeId, after.sessionId);
  }, 120_000);

  it('a node without HANGAR_CONTEXT_KEY starts no session with a context, and says why', async () => {
    const keyless = await fx.launchNode('ctx-keyless', { HANGAR_WARM_POOL: '0' });
    const contextId = await createContext();
    const sessionId = await requestSession(fx.h, keyless.nodeId, { browserSettings: { context: { id: contextId } } });
    expect(await startOnNode(fx.h, keyless.nodeId, sessionId)).toMatchObject({ ok: false, error: { code: 'LAUNCH_FAILED', message: expect.stringContaining('HANGAR_CONTEXT_KEY') } });
    expect(keyless.logs.some((l) => l.includes('HANGAR_CONTEXT_KEY is not set'))).toBe(true);
  }, 60_000);

  it('a profile whose late stores fail to open (altered at rest) fails the launch its browser had begun: no browser, no folder left', async () => {
    const contextId = await createContext();
    const first = await start(contextId, true);
    // A large IndexedDB value: the late part spans many chunks, so the alteration at the end comes after the browser started.
    await leaveState(first.endpoint, 'big', 2_000_000);
    await stopOnNode(fx.h, node.nodeId, first.sessionId);
    const [saved] = (await contextEvents(contextId)).filter((e) => e.type === 'ContextSaved');
    const file = path.join(fx.h.dir, 'artifacts', saved!.data.key);
    const altered = readFileSync(file);
    altered[altered.length - 1]! ^= 1;
    writeFileSync(file, altered);
    const sessionId = await requestSession(fx.h, node.nodeId, { browserSettings: { context: { id: contextId } } });
    expect(await startOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: false, error: { code: 'LAUNCH_FAILED', message: expect.stringContaining('altered') } });
    expect(node.logs.some((l) => l.includes(sessionId) && l.includes('the profile restore failed after Chromium started'))).toBe(true);
    expect(processesMatching(sessionId)).toEqual([]);
    expect(existsSync(path.join(node.profilesRoot, sessionId))).toBe(false);
  }, 90_000);

  it("never restores another project's context, whatever the session names", async () => {
    const contextId = await createContext('another-project');
    const sessionId = await requestSession(fx.h, node.nodeId, { browserSettings: { context: { id: contextId } } });
    expect(await startOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: false, error: { code: 'LAUNCH_FAILED' } });
  }, 60_000);
});
