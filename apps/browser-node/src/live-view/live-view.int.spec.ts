import http from 'node:http';
import WebSocket from 'ws';
import { INTERNAL_TOKEN_HEADER, mintInternalToken, type InternalPurpose } from '@hangar/runtime';
import { connect, firstPage, upgradeStatus, useNodeFixture } from '../test/node-fixture.js';
import { NODE_INTERNAL_SECRET, requestSession, startOnNode, stopOnNode, type RunningNode } from '../test/node-harness.js';

/*
 * The node's live-view routes, on a real node and Chromium. The node's port is reachable from the
 * host its browsers run on, so a tenant's page could call it: without the gateway's 'live-view'
 * token for that very session nothing answers, and nothing but the DevTools frontend's own files
 * is served from Chromium's port.
 */
const fx = useNodeFixture();
const token = (sessionId: string, purpose: InternalPurpose = 'live-view') => ({ [INTERNAL_TOKEN_HEADER]: mintInternalToken(NODE_INTERNAL_SECRET, { purpose, sessionId }) });

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
      })
      .on('error', reject);
  });
}

// One test: the fixture counts a session's Chromium still running after a test as leaked.
it('live-view routes: the gateway’s token for that session or nothing; DevTools files only; frames with the token', async () => {
  const node: RunningNode = await fx.launchNode('node-lv', { HANGAR_MAX_SESSIONS: '3', HANGAR_WARM_POOL: '0' });
  const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
  const other = await requestSession(fx.h, node.nodeId, { keepAlive: true });
  try {
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const base = reply.value.endpoint!.replace(/^ws:/, 'http:');
    const second = await startOnNode(fx.h, node.nodeId, other);
    if (!second.ok) throw new Error(second.error.message);

    const browser = await connect(base.replace(/^http:/, 'ws:'));
    fx.browsers.push(browser);
    await (await firstPage(browser)).goto('data:text/html,<title>listed</title>');
    const listed = await get(`${base}/live-view/pages`, token(sessionId));
    expect(listed.status).toBe(200);
    const pages = JSON.parse(listed.body) as Array<Record<string, string>>;
    expect(pages).toContainEqual({ id: expect.stringMatching(/^[A-F0-9]{32}$/), url: 'data:text/html,<title>listed</title>', title: 'listed', faviconUrl: '' });
    expect((await get(`${base}/live-view/pages`)).status).toBe(401);
    expect((await get(`${base}/live-view/pages`, token(sessionId, 'cdp'))).status).toBe(401);
    expect((await get(`${base}/live-view/pages`, token(other))).status).toBe(401);

    const inspector = await get(`${base}/live-view/devtools/inspector.html`, token(sessionId));
    expect(inspector.status).toBe(200);
    expect(inspector.type).toMatch(/text\/html/);
    expect((await get(`${base}/live-view/devtools/inspector.html`)).status).toBe(401);
    for (const path of ['/live-view/devtools/../json/list', '/live-view/devtools/%2e%2e/json/version', '/live-view/json/list', '/live-view/devtools/.%2e/json']) {
      expect((await get(`${base}${path}`, token(sessionId))).status).toBe(404);
    }

    const target = pages.find((p) => p.title === 'listed')!.id!;
    const ws = base.replace(/^http:/, 'ws:');
    expect(await upgradeStatus(`${ws}/live-view/screencast/${target}/control`, {})).toBe(401);
    expect(await upgradeStatus(`${ws}/live-view/devtools/page/${target}`, token(sessionId, 'cdp'))).toBe(401);
    expect(await upgradeStatus(`${ws}/live-view/screencast/not-a-target/control`, token(sessionId))).toBe(404);

    const viewer = new WebSocket(`${ws}/live-view/screencast/${target}/view`, { headers: token(sessionId) });
    const frame = await new Promise<{ type: string; data: string; metadata: { deviceWidth: number } }>((resolve, reject) => {
      viewer.on('message', (m) => {
        const parsed = JSON.parse(String(m));
        if (parsed.type === 'frame') resolve(parsed);
      });
      viewer.once('error', reject);
    });
    expect(Buffer.from(frame.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(frame.metadata.deviceWidth).toBeGreaterThan(0);
    viewer.close();
  } finally {
    for (const id of [sessionId, other]) await stopOnNode(fx.h, node.nodeId, id).catch(() => undefined);
  }
});
