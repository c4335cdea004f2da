import { readFileSync } from 'node:fs';
import { eventually } from '@hangar/testing';
import { startSessionReply, stopSessionReply, subjects } from '@hangar/contracts';
import { sessionAggregate } from '@hangar/domain';
import { executeCommand, sendCommand } from '@hangar/messaging';
import { INTERNAL_TOKEN_HEADER, mintInternalToken } from '@hangar/runtime';
import { NODE_INTERNAL_SECRET, processAlive, requestSession, sessionEvents, startOnNode, stopOnNode, waitForEvent, type RunningNode } from './test/node-harness.js';
import { connect, firstPage, gatewayHeaders, httpGet, profileGone, upgradeStatus, useNodeFixture } from './test/node-fixture.js';

const fx = useNodeFixture();
const { browsers, launchNode } = fx;

describe('browser-node with one long-running node', () => {
  let node: RunningNode;
  beforeAll(async () => {
    // A pool of one: sessions with default settings run on a warm browser whenever one is ready.
    node = await launchNode('node-a', { HANGAR_MAX_SESSIONS: '4', HANGAR_WARM_POOL: '1' });
  });

  it('serves CDP through its proxy and ends COMPLETED / CLIENT_DISCONNECTED when the only client leaves', async () => {
    const sessionId = await requestSession(fx.h, node.nodeId, { browserSettings: { viewport: { width: 800, height: 600 } } });
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.value).toMatchObject({ id: sessionId, status: 'RUNNING', nodeId: node.nodeId, clients: 0 });
    const endpoint = reply.value.endpoint!;
    expect(endpoint).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/sessions/${sessionId}$`));
    const started = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    expect(processAlive(started.data.pid)).toBe(true);

    const browser = await connect(endpoint);
    browsers.push(browser);
    const page = await firstPage(browser);
    await page.goto('data:text/html,<title>hangar</title><p>hi</p>');
    expect(await page.title()).toBe('hangar');
    expect(await page.evaluate('window.innerWidth')).toBe(800);
    await browser.disconnect();

    const ended = await waitForEvent(fx.h, sessionId, 'SessionEnded');
    expect(ended.data).toMatchObject({ status: 'COMPLETED', reason: 'CLIENT_DISCONNECTED' });
    // SIGKILL reached the group before SessionEnded was written; the exit follows within moments.
    await eventually(() => processAlive(started.data.pid), (alive) => !alive, 5_000);
    await profileGone(node.profilesRoot, sessionId);
    // The session's life, then the fact that its downloads (none here) are in the artifact store:
    // the node stores them before it removes the folders.
    expect((await sessionEvents(fx.h, sessionId)).map((e) => e.type)).toEqual([
      'SessionRequested',
      'SessionScheduled',
      'SessionStarted',
      'ClientConnected',
      'ClientDisconnected',
      'SessionEnded',
      'SessionArtifactStored',
    ]);
    expect(await upgradeStatus(endpoint)).toBe(404);
  });

  it('keeps a keepAlive session across disconnects, serves several clients at once, and tears down on stop', async () => {
    const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const endpoint = reply.value.endpoint!;
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');

    const first = await connect(endpoint);
    browsers.push(first);
    await (await firstPage(first)).goto('data:text/html,<title>kept</title>');
    await first.disconnect();
    await waitForEvent(fx.h, sessionId, 'ClientDisconnected');

    // A reconnect is only possible if the disconnect did not end the session.
    const a = await connect(endpoint);
    const b = await connect(endpoint);
    browsers.push(a, b);
    expect(await (await firstPage(a)).title()).toBe('kept');
    expect(await (await firstPage(b)).evaluate(() => 6 * 7)).toBe(42);
    await a.disconnect();
    expect(await (await firstPage(b)).evaluate('document.title')).toBe('kept');

    const bGone = new Promise<void>((resolve) => b.once('disconnected', () => resolve()));
    const stopped = await stopOnNode(fx.h, node.nodeId, sessionId);
    if (!stopped.ok) throw new Error(stopped.error.message);
    expect(stopped.value).toMatchObject({ status: 'COMPLETED', endReason: 'RELEASED', clients: 0 });
    await bGone;
    await eventually(() => processAlive(data.pid), (alive) => !alive, 5_000);
    await profileGone(node.profilesRoot, sessionId);

    const events = await sessionEvents(fx.h, sessionId);
    expect(events.filter((e) => e.type === 'ClientConnected').map((e) => e.data)).toEqual([
      expect.objectContaining({ clients: 1 }),
      expect.objectContaining({ clients: 1 }),
      expect.objectContaining({ clients: 2 }),
    ]);
    expect(events.filter((e) => e.type === 'SessionEnded')).toHaveLength(1);

    // Stopping again is idempotent: the same final state, nothing appended (the downloads
    // artifact the node recorded after the first stop moves the version, nothing else).
    const before = (await sessionEvents(fx.h, sessionId)).length;
    const again = await stopOnNode(fx.h, node.nodeId, sessionId, 'TIMEOUT');
    const withoutVersion = (reply: Awaited<ReturnType<typeof stopOnNode>>) => (reply.ok ? { ...reply.value, version: undefined } : reply);
    expect(withoutVersion(again)).toEqual(withoutVersion(stopped));
    expect(await sessionEvents(fx.h, sessionId)).toHaveLength(before);
  });

  it('ends ERROR / BROWSER_CRASHED when Chromium is killed', async () => {
    const sessionId = await requestSession(fx.h, node.nodeId);
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');

    process.kill(data.pid, 'SIGKILL');

    const ended = await waitForEvent(fx.h, sessionId, 'SessionEnded');
    expect(ended.data).toMatchObject({ status: 'ERROR', reason: 'BROWSER_CRASHED' });
    await profileGone(node.profilesRoot, sessionId);
    expect(await upgradeStatus(reply.value.endpoint!)).toBe(404);
  });

  it('ends COMPLETED / BROWSER_CLOSED when a client closes the browser over CDP', async () => {
    const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const browser = await connect(reply.value.endpoint!);
    browsers.push(browser);
    await firstPage(browser);
    await browser.close();

    const ended = await waitForEvent(fx.h, sessionId, 'SessionEnded');
    expect(ended.data).toMatchObject({ status: 'COMPLETED', reason: 'BROWSER_CLOSED' });
  });

  it('tears the browser down and refuses when the session ended while its browser launched', async () => {
    const sessionId = await requestSession(fx.h, node.nodeId);
    await executeCommand(fx.h.store, sessionAggregate, sessionId, { type: 'End', reason: 'RELEASED' }, { correlationId: 'test' });

    const reply = await startOnNode(fx.h, node.nodeId, sessionId);

    expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await profileGone(node.profilesRoot, sessionId);
    expect((await sessionEvents(fx.h, sessionId)).map((e) => e.type)).toEqual(['SessionRequested', 'SessionScheduled', 'SessionEnded']);
  });

  it('refuses what it cannot do with the contract error codes, and answers health checks', async () => {
    expect(await stopOnNode(fx.h, node.nodeId, 'never-existed')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const invalid = await sendCommand(fx.h.client, subjects.startSessionOnNode(node.nodeId), { sessionId: '../etc' }, startSessionReply, 10_000);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const badStop = await sendCommand(fx.h.client, subjects.stopSessionOnNode(node.nodeId), { sessionId: 'x', correlationId: 'c', status: 'NOPE' }, stopSessionReply, 10_000);
    expect(badStop).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    const sessionId = await requestSession(fx.h, node.nodeId);
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const base = new URL(reply.value.endpoint!);
    expect(await upgradeStatus(`ws://${base.host}/sessions/not-a-session`)).toBe(404);
    expect(await httpGet(`http://${base.host}/healthz`)).toBe(200);
    expect(await stopOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true, value: { status: 'COMPLETED' } });
  });

  it('refuses a connect that did not come through the gateway: no token, a forged, an expired, another session’s, another purpose’s', async () => {
    const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const endpoint = reply.value.endpoint!;
    const token = (secret: string, claims: { purpose?: 'cdp' | 'live-view'; sessionId?: string } = {}, nowMs = Date.now()) => ({
      [INTERNAL_TOKEN_HEADER]: mintInternalToken(secret, { purpose: claims.purpose ?? 'cdp', sessionId: claims.sessionId ?? sessionId }, { nowMs }),
    });
    const attempts: [string, Record<string, string>][] = [
      ['none', {}],
      ['garbage', { [INTERNAL_TOKEN_HEADER]: 'x.y' }],
      ['forged', token('a-secret-the-node-does-not-hold')],
      ['expired', token(NODE_INTERNAL_SECRET, {}, Date.now() - 60_000)],
      ['another session', token(NODE_INTERNAL_SECRET, { sessionId: 'another-session' })],
      ['another purpose', token(NODE_INTERNAL_SECRET, { purpose: 'live-view' })],
    ];
    for (const [what, headers] of attempts) expect([what, await upgradeStatus(endpoint, headers)]).toEqual([what, 401]);
    // Not even whether a session exists is told without a token.
    expect(await upgradeStatus(endpoint.replace(sessionId, 'not-a-session'), {})).toBe(401);
    expect(await httpGet(`${endpoint.replace('ws:', 'http:').replace(/\/sessions\/.*/, '')}/json/version`)).toBe(404);

    expect(await upgradeStatus(endpoint, gatewayHeaders(endpoint))).toBe(101);
    await waitForEvent(fx.h, sessionId, 'ClientDisconnected');
    // The secret that mints these tokens stays with the node: its browser's environment lacks it.
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    expect(readFileSync(`/proc/${data.pid}/environ`, 'utf8')).not.toContain(NODE_INTERNAL_SECRET);
    expect((await sessionEvents(fx.h, sessionId)).filter((e) => e.type === 'ClientConnected')).toHaveLength(1);
    expect(await stopOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true, value: { status: 'COMPLETED' } });
  });
});

describe('a release handed over with the scheduler’s event', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await launchNode('node-handoff', { HANGAR_WARM_POOL: '0' });
  });

  /** What the scheduler does on a release: append SessionReleaseRequested, then stop the session on its node. */
  async function requestRelease(sessionId: string) {
    const started = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    const requested = await executeCommand(fx.h.store, sessionAggregate, sessionId, { type: 'RequestRelease' }, { correlationId: started.metadata.correlationId });
    return { base: requested.base, events: requested.appended };
  }

  it('ends the session after the release request, whether the handoff fits what the node knows or not', async () => {
    for (const stale of [false, true]) {
      const sessionId = await requestSession(fx.h, node.nodeId);
      const reply = await startOnNode(fx.h, node.nodeId, sessionId);
      if (!reply.ok) throw new Error(reply.error.message);
      const handoff = await requestRelease(sessionId);
      // A handoff on another base than the node's state must not be folded onto it.
      const sent = stale ? { ...handoff, base: handoff.base - 1 } : handoff;
      const stopped = await stopOnNode(fx.h, node.nodeId, sessionId, 'RELEASED', sent);
      expect(stopped).toMatchObject({ ok: true, value: { id: sessionId, status: 'COMPLETED', endReason: 'RELEASED' } });
      expect((await sessionEvents(fx.h, sessionId)).map((e) => e.type)).toEqual([
        'SessionRequested',
        'SessionScheduled',
        'SessionStarted',
        'SessionReleaseRequested',
        'SessionEnded',
      ]);
      await profileGone(node.profilesRoot, sessionId);
    }
  });
});
