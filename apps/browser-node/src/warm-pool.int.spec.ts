import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import type { BrowserSettings } from '@hangar/contracts';
import { eventually } from '@hangar/testing';
import { canLeaveIdleScheduling, listProcesses, SCHED_IDLE, SCHED_OTHER, threadPolicies, userDataDir } from '@hangar/chromium';
import {
  chromiumPids,
  drainOnNode,
  idleWarmBrowserPids,
  processAlive,
  profileChromiumPids,
  requestSession,
  sessionProfileDir,
  startOnNode,
  stopOnNode,
  waitForEvent,
  warmProfileDirs,
  type RunningNode,
} from './test/node-harness.js';
import { gatewayHeaders, useNodeFixture } from './test/node-fixture.js';

/** The scheduling policies found among the threads of every process in the browser's group. */
function groupPolicies(pgid: number): number[] {
  const values = listProcesses()
    .filter((p) => p.pgrp === pgid && p.state !== 'Z')
    .flatMap((p) => threadPolicies(p.pid));
  return [...new Set(values)].sort();
}

/** Whether any live process started with a warm profile dir runs a SCHED_IDLE thread now. */
const warmLaunchIdle = (profilesRoot: string) =>
  listProcesses().some((p) => p.state !== 'Z' && userDataDir(p.pid)?.startsWith(path.join(profilesRoot, 'warm.')) && threadPolicies(p.pid).includes(SCHED_IDLE));

interface StartTiming {
  sessionId: string;
  warm: boolean;
  fresh?: string;
  pid: number;
  launchMs: number;
  recordMs: number;
  totalMs: number;
}

/** The node's debug line timing a session's start. */
function startTiming(node: RunningNode, sessionId: string): StartTiming | undefined {
  const line = node.logs.find((l) => l.includes('"session start timing"') && l.includes(sessionId));
  return line ? (JSON.parse(line.slice(line.indexOf('{'))) as StartTiming) : undefined;
}

const timingOf = async (node: RunningNode, sessionId: string): Promise<StartTiming> =>
  (await eventually(() => startTiming(node, sessionId), (t) => t !== undefined, 5_000))!;

/** Refills launch SCHED_IDLE when the node (same user and capabilities as this test) can take that back. */
const REFILLS_IDLE = canLeaveIdleScheduling();

const fx = useNodeFixture();
const { browsers, launchNode, watch } = fx;

/** Starts a requested session (with the settings it was requested with); its SessionStarted pid and profile dir. */
async function startRequested(node: RunningNode, sessionId: string) {
  const reply = await startOnNode(fx.h, node.nodeId, sessionId);
  if (!reply.ok) throw new Error(reply.error.message);
  const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');
  return { sessionId, endpoint: reply.value.endpoint!, pid: data.pid, profileDir: sessionProfileDir(node.profilesRoot, sessionId) };
}

/** A keepAlive session (disconnecting ends nothing), requested and started. */
const startSession = async (node: RunningNode, browserSettings: BrowserSettings = {}) =>
  startRequested(node, await requestSession(fx.h, node.nodeId, { keepAlive: true, browserSettings }));

describe('browser-node warm pool', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await launchNode('node-warm', { HANGAR_WARM_POOL: '2', HANGAR_MAX_SESSIONS: '4' });
  });

  /** The pool is full again: a heartbeat from now on says so, and two idle warm browsers run. */
  async function poolFull(): Promise<number[]> {
    await watch(node.nodeId).next((b) => b.warmSlots === 2, 20_000);
    return eventually(() => idleWarmBrowserPids(node.profilesRoot), (pids) => pids.length === 2, 5_000);
  }

  it('fills to its size, each browser with its own group, dir and first page, and reports warmSlots', async () => {
    expect(await watch(node.nodeId).next((b) => b.warmSlots === 2, 20_000)).toMatchObject({ running: 0, sessionIds: [], maxSessions: 4 });
    const pids = await poolFull();
    expect(warmProfileDirs(node.profilesRoot).map((d) => path.basename(d))).toEqual([expect.stringMatching(/^warm\./), expect.stringMatching(/^warm\./)]);
    for (const pid of pids) {
      // Launched SCHED_IDLE, back to normal scheduling before joining the pool.
      expect(groupPolicies(pid)).toEqual([SCHED_OTHER]);
      // Each is the leader of its own group (the pid is the pgid) and already has its page.
      expect(listProcesses().filter((p) => p.pgrp === pid).length).toBeGreaterThan(1);
      const port = Number(readFileSync(path.join(userDataDir(pid)!, 'DevToolsActivePort'), 'utf8').split('\n')[0]);
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ type: string; url: string }>;
      expect(targets.filter((t) => t.type === 'page')).toEqual([expect.objectContaining({ url: 'about:blank' })]);
    }
  });

  it('serves a start with default settings from the pool, and refills in the background under SCHED_IDLE', async () => {
    const warm = await poolFull();

    const { sessionId, endpoint, pid, profileDir } = await startSession(node);
    // The refill starts once the start is done; its launch runs SCHED_IDLE until its page is there.
    const sawIdleRefill = eventually(() => warmLaunchIdle(node.profilesRoot), (idle) => idle, 10_000, 5).then(
      () => true,
      () => false,
    );

    expect(warm).toContain(pid);
    expect(await timingOf(node, sessionId)).toMatchObject({ sessionId, warm: true, pid, launchMs: expect.any(Number), recordMs: expect.any(Number), totalMs: expect.any(Number) });
    // The warm dir keeps its name and says whose it is now.
    expect(path.basename(profileDir)).toMatch(/^warm\./);
    expect(readFileSync(path.join(profileDir, 'hangar-session'), 'utf8')).toBe(sessionId);
    expect(profileChromiumPids(profileDir)).toContain(pid);
    expect(groupPolicies(pid)).toEqual([SCHED_OTHER]);

    const browser = await puppeteer.connect({ browserWSEndpoint: endpoint, defaultViewport: null, headers: gatewayHeaders(endpoint) });
    browsers.push(browser);
    const pages = await browser.pages();
    expect(pages.map((p) => p.url())).toEqual(['about:blank']);
    expect(await pages[0]!.evaluate('[window.innerWidth, window.innerHeight]')).toEqual([1024, expect.any(Number)]);

    expect(await watch(node.nodeId).next((b) => b.warmSlots === 2 && b.running === 1, 20_000)).toMatchObject({ sessionIds: [sessionId] });
    const refilled = await poolFull();
    expect(refilled).not.toContain(pid);
    expect(refilled.filter((p) => warm.includes(p))).toHaveLength(1);
    expect(await sawIdleRefill).toBe(REFILLS_IDLE);
    for (const p of refilled) expect(groupPolicies(p)).toEqual([SCHED_OTHER]);

    await browser.disconnect();
    expect(await stopOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true, value: { status: 'COMPLETED' } });
  });

  it('launches fresh for settings that need their own flags, and when the pool is empty, without waiting for a refill', async () => {
    const warm = await poolFull();

    const custom = await startSession(node, { ignoreCertificateErrors: false });

    expect(warm).not.toContain(custom.pid);
    expect(await timingOf(node, custom.sessionId)).toMatchObject({ warm: false, fresh: 'no flag --ignore-certificate-errors' });
    expect(custom.profileDir).toBe(path.join(node.profilesRoot, custom.sessionId));
    expect(idleWarmBrowserPids(node.profilesRoot).sort()).toEqual([...warm].sort());

    // Three default starts at once: two warm, the third finds the pool empty and launches.
    const ids = await Promise.all([1, 2, 3].map(() => requestSession(fx.h, node.nodeId, { keepAlive: true })));
    const trio = await Promise.all(ids.map((id) => startRequested(node, id)));
    const timings = await Promise.all(trio.map((s) => timingOf(node, s.sessionId)));
    expect(timings.filter((t) => t.warm)).toHaveLength(2);
    expect(timings.filter((t) => !t.warm)).toEqual([expect.objectContaining({ fresh: 'pool empty' })]);
    expect(trio.filter((s) => warm.includes(s.pid))).toHaveLength(2);

    for (const s of [custom, ...trio]) expect(await stopOnNode(fx.h, node.nodeId, s.sessionId)).toMatchObject({ ok: true });
    await poolFull();
  });

  it('replaces a warm browser that dies while it waits, and removes its profile', async () => {
    const [victim] = await poolFull();
    const dir = userDataDir(victim!)!;

    process.kill(victim!, 'SIGKILL');

    await eventually(() => existsSync(dir), (exists) => !exists, 5_000);
    const pool = await poolFull();
    expect(pool).not.toContain(victim);
    expect(processAlive(victim!)).toBe(false);
    expect(profileChromiumPids(dir)).toEqual([]);
  });

  it('never reuses a warm browser: after its session it is gone with its profile, and the next session gets another', async () => {
    await poolFull();
    const first = await startSession(node);
    expect(path.basename(first.profileDir)).toMatch(/^warm\./);

    expect(await stopOnNode(fx.h, node.nodeId, first.sessionId)).toMatchObject({ ok: true });

    // SIGKILL went to the whole group before the reply; the tree and then its profile go next.
    await eventually(() => processAlive(first.pid) || profileChromiumPids(first.profileDir).length > 0, (alive) => !alive, 5_000);
    await eventually(() => existsSync(first.profileDir), (exists) => !exists, 5_000);
    await poolFull();
    const second = await startSession(node);
    expect(second.pid).not.toBe(first.pid);
    expect(second.profileDir).not.toBe(first.profileDir);
    expect(await stopOnNode(fx.h, node.nodeId, second.sessionId)).toMatchObject({ ok: true });
  });
});

describe('browser-node warm pool across a crash and a shutdown', () => {
  it('after a SIGKILL, the next start kills the warm browsers, removes their dirs and ends the warm-served session NODE_RESTARTED', async () => {
    const first = await launchNode('node-warm-kill', { HANGAR_WARM_POOL: '2' });
    const beats = watch(first.nodeId);
    await beats.next((b) => b.warmSlots === 2, 20_000);
    const session = await startSession(first);
    await beats.next((b) => b.warmSlots === 2 && b.running === 1, 20_000);
    const warmDirs = warmProfileDirs(first.profilesRoot);
    expect(warmDirs).toHaveLength(3);
    expect(warmDirs).toContain(session.profileDir);

    await first.service.stop('SIGKILL');
    const orphans = chromiumPids(first.profilesRoot);
    expect(orphans).toContain(session.pid);
    expect(idleWarmBrowserPids(first.profilesRoot)).toHaveLength(2);

    // No pool this time, so that nothing under the root may run after the sweep.
    const second = await launchNode('node-warm-kill', { HANGAR_WARM_POOL: '0' });

    expect(orphans.filter(processAlive)).toEqual([]);
    expect(chromiumPids(second.profilesRoot)).toEqual([]);
    expect(readdirSync(second.profilesRoot)).toEqual([]);
    expect((await waitForEvent(fx.h, session.sessionId, 'SessionEnded')).data).toMatchObject({ status: 'ERROR', reason: 'NODE_RESTARTED' });
    expect(second.logs.some((l) => l.includes('removed idle warm profiles left by a previous run'))).toBe(true);
  });

  it('on a drain, tears its warm browsers down at once and leaves nothing behind', async () => {
    const node = await launchNode('node-warm-drain', { HANGAR_WARM_POOL: '2' });
    const beats = watch(node.nodeId);
    await beats.next((b) => b.warmSlots === 2, 20_000);
    const warm = await eventually(() => idleWarmBrowserPids(node.profilesRoot), (pids) => pids.length === 2, 5_000);

    expect(await drainOnNode(fx.h, node.nodeId)).toEqual({ ok: true });

    expect(await beats.next((b) => b.draining)).toMatchObject({ warmSlots: 0, running: 0 });
    expect(await node.service.exited).toBe(0);
    expect(warm.filter(processAlive)).toEqual([]);
    expect(chromiumPids(node.profilesRoot)).toEqual([]);
    expect(readdirSync(node.profilesRoot)).toEqual([]);
  });

  it('on SIGTERM, ends its sessions and tears down its warm browsers: no Chromium and no profile left', async () => {
    const node = await launchNode('node-warm-term', { HANGAR_WARM_POOL: '2' });
    const beats = watch(node.nodeId);
    await beats.next((b) => b.warmSlots === 2, 20_000);
    const warm = idleWarmBrowserPids(node.profilesRoot);
    const session = await startSession(node);
    expect(warm).toContain(session.pid);

    await node.service.stop('SIGTERM', 15_000);

    expect(await node.service.exited).toBe(0);
    expect(chromiumPids(node.profilesRoot)).toEqual([]);
    expect(warm.filter(processAlive)).toEqual([]);
    expect(readdirSync(node.profilesRoot)).toEqual([]);
    expect((await waitForEvent(fx.h, session.sessionId, 'SessionEnded')).data).toMatchObject({ status: 'ERROR', reason: 'NODE_SHUTDOWN' });
  });
});
