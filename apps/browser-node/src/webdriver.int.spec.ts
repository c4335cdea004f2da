import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { INTERNAL_TOKEN_HEADER, mintInternalToken, type InternalPurpose } from '@hangar/runtime';
import { commandLine } from '@hangar/chromium';
import { eventually } from '@hangar/testing';
import { chromiumPids, NODE_INTERNAL_SECRET, processAlive, requestSession, startOnNode, stopOnNode, waitForEvent } from './test/node-harness.js';
import { useNodeFixture } from './test/node-fixture.js';

/*
 * The node's WebDriver route on its own port (the gateway's side is tests/e2e/webdriver.e2e.spec.ts):
 * only the gateway's token for 'webdriver' and that session gets through; a chromedriver starts on
 * the first command and is gone when its session ends, when the node stops, and — a node killed
 * outright leaves it running, like its browsers — at the next start's orphan sweep.
 */
const fx = useNodeFixture();

const chromedriverPids = (profilesRoot: string) => chromiumPids(profilesRoot).filter((pid) => commandLine(pid)?.includes('chromedriver'));

async function webdriver(endpoint: string, method: string, path: string, body?: unknown, purpose: InternalPurpose = 'webdriver') {
  const base = endpoint.replace(/^ws:/, 'http:');
  const sessionId = base.split('/').pop()!;
  const res = await fetch(`${base}/webdriver${path}`, {
    method,
    headers: { [INTERNAL_TOKEN_HEADER]: mintInternalToken(NODE_INTERNAL_SECRET, { purpose, sessionId }), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as { value: Record<string, unknown> } };
}

describe('the node’s WebDriver route', () => {
  it('takes only the gateway’s webdriver token, starts one chromedriver lazily, and kills it when the session ends', async () => {
    const node = await fx.launchNode('node-wd', { HANGAR_WARM_POOL: '0' });
    const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
    expect(await startOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true });
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');

    const noToken = await fetch(`${data.endpoint.replace(/^ws:/, 'http:')}/webdriver/status`);
    expect(noToken.status).toBe(401);
    expect((await webdriver(data.endpoint, 'GET', '/status', undefined, 'downloads')).status).toBe(401);
    expect(chromedriverPids(node.profilesRoot)).toEqual([]);

    const created = await webdriver(data.endpoint, 'POST', '/session', { capabilities: { alwaysMatch: { 'goog:chromeOptions': { binary: '/bin/false' } } } });
    expect(created.status).toBe(200);
    const [pid] = chromedriverPids(node.profilesRoot);
    expect(pid).toBeDefined();
    // Attached, not launched: the session's browser is the only Chromium of the session.
    expect(chromiumPids(node.profilesRoot).filter((p) => p !== pid && !commandLine(p)?.includes('--type='))).toEqual([data.pid]);
    const wd = created.body.value['sessionId'] as string;
    expect((await webdriver(data.endpoint, 'POST', `/session/${wd}/url`, { url: 'data:text/html,<title>wd</title>' })).status).toBe(200);
    expect((await webdriver(data.endpoint, 'GET', `/session/${wd}/title`)).body.value).toBe('wd');
    expect((await webdriver(data.endpoint, 'GET', '/status')).status).toBe(200);

    // chromedriver's own port, as a page on this host could reach it: without the node's URL base
    // nothing is a command; with it (read here from /proc as root), a web origin is still refused.
    const urlBase = /--url-base=(\S+)/.exec(commandLine(pid!)!)![1]!;
    const port = Number(new RegExp(`127\\.0\\.0\\.1:(\\d+)\\s.*pid=${pid},`).exec(execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }))![1]);
    // node:http, not fetch: fetch would not send a Host of our choosing.
    const direct = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; text: string }>((resolve, fail) => {
        http
          .get({ host: '127.0.0.1', port, path, headers }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          })
          .on('error', fail);
      });
    expect(await direct('/status')).toMatchObject({ text: 'unhandled request' });
    expect(await direct(`/session/${wd}/title`)).toMatchObject({ text: 'unhandled request' });
    expect((await direct(`${urlBase}/session/${wd}/title`, { origin: 'https://evil.example' })).text).toMatch(/rejected/);
    expect((await direct(`${urlBase}/session/${wd}/title`, { host: 'evil.example' })).text).toMatch(/rejected/);
    expect((await direct(`${urlBase}/session/${wd}/title`)).text).toBe('{"value":"wd"}');

    await stopOnNode(fx.h, node.nodeId, sessionId);
    await eventually(() => processAlive(pid!), (alive) => !alive, 5_000);
  });

  it('a WebDriver session is a client: quit of the last one ends a session without keepAlive', async () => {
    const node = await fx.launchNode('node-wd-c', { HANGAR_WARM_POOL: '0' });
    const sessionId = await requestSession(fx.h, node.nodeId);
    expect(await startOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true });
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    const wd = (await webdriver(data.endpoint, 'POST', '/session', {})).body.value['sessionId'] as string;
    expect((await waitForEvent(fx.h, sessionId, 'ClientConnected')).data).toMatchObject({ connectionId: `webdriver-${wd}`, clients: 1 });

    expect((await webdriver(data.endpoint, 'DELETE', `/session/${wd}`)).status).toBe(200);
    expect((await waitForEvent(fx.h, sessionId, 'ClientDisconnected')).data).toMatchObject({ connectionId: `webdriver-${wd}`, clients: 0 });
    expect((await waitForEvent(fx.h, sessionId, 'SessionEnded')).data).toMatchObject({ reason: 'CLIENT_DISCONNECTED' });
    await eventually(() => chromedriverPids(node.profilesRoot), (pids) => pids.length === 0, 5_000);
  });

  it('a node killed outright leaves its chromedriver, and its next start kills it', async () => {
    const first = await fx.launchNode('node-wd-r', { HANGAR_WARM_POOL: '0' });
    const sessionId = await requestSession(fx.h, first.nodeId, { keepAlive: true });
    expect(await startOnNode(fx.h, first.nodeId, sessionId)).toMatchObject({ ok: true });
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    expect((await webdriver(data.endpoint, 'POST', '/session', {})).status).toBe(200);
    const [pid] = chromedriverPids(first.profilesRoot);

    await first.service.stop('SIGKILL');
    expect(processAlive(pid!)).toBe(true);

    const second = await fx.launchNode('node-wd-r', { HANGAR_WARM_POOL: '0' });
    expect(processAlive(pid!)).toBe(false);
    expect(chromedriverPids(second.profilesRoot)).toEqual([]);
  });

  it('a SIGTERM stops the chromedrivers with the sessions', async () => {
    const node = await fx.launchNode('node-wd-t', { HANGAR_WARM_POOL: '0' });
    const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
    expect(await startOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true });
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    expect((await webdriver(data.endpoint, 'POST', '/session', {})).status).toBe(200);
    const [pid] = chromedriverPids(node.profilesRoot);

    await node.service.stop('SIGTERM', 15_000);
    expect(await node.service.exited).toBe(0);
    expect(processAlive(pid!)).toBe(false);
  });
});
