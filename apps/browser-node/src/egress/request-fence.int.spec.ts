import type { SessionLogEntry } from '@hangar/contracts';
import { TelemetryLog } from '@hangar/messaging';
import { eventually } from '@hangar/testing';
import { firstPage, useNodeFixture } from '../test/node-fixture.js';
import { startIdentitySite, type IdentitySite } from '../test/identity-site.js';
import { stopOnNode, type RunningNode } from '../test/node-harness.js';

const fx = useNodeFixture();

let site: IdentitySite;
let node: RunningNode;
beforeAll(async () => {
  site = await startIdentitySite();
  node = await fx.launchNode('fence-a', { HANGAR_MAX_SESSIONS: '4', HANGAR_WARM_POOL: '1' });
  await fx.watch(node.nodeId).next((b) => b.warmSlots === 1, 20_000);
});
afterAll(async () => {
  await site?.close();
});

/** The session's log entries, once it has ended and its logs have their `end`. */
async function logsOf(sessionId: string): Promise<SessionLogEntry[]> {
  const stopped = await stopOnNode(fx.h, node.nodeId, sessionId);
  if (!stopped.ok) throw new Error(stopped.error.message);
  const log = await TelemetryLog.create(fx.h.nats.nc);
  const messages = await eventually(
    async () => (await log.read(sessionId, 'logs')).map((m) => m.message),
    (m) => m.at(-1)?.type === 'end',
    15_000,
  );
  return messages.flatMap((m) => (m.type === 'logs' ? m.entries : []));
}

/** Requests for `path` the site has had since `from` (an index into its log). */
const requested = (path: string, from = 0) => site.seen.slice(from).filter((r) => r.path === path).length;

describe('a session\'s request fences', () => {
  it('allowedDomains: a top-level navigation elsewhere fails before it leaves the browser and is logged; subresources are not judged', async () => {
    const { sessionId, browser } = await fx.session(node, { allowedDomains: ['localhost'] });
    const page = await firstPage(browser);
    await expect(page.goto(`${site.origin}/plain-blocked`)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
    expect(requested('/plain-blocked')).toBe(0);
    // The allowed domain loads, and its page may load from anywhere (here 127.0.0.1).
    await page.goto(`http://localhost:${site.port}/cross`, { waitUntil: 'load' });
    // (Puppeteer can answer this goto on the error page's late load event: wait for the requests themselves.)
    await eventually(() => requested('/images/cross.gif') + requested('/frame-from-cross'), (n) => n === 2, 5_000);
    // A link the page follows is a navigation too; so is a popup's.
    await page.evaluate((url) => void (location.href = url), `${site.origin}/plain-by-page`);
    await page.evaluate((url) => void window.open(url), `${site.origin}/plain-popup`);
    // A redirect out of the allowed domains is judged where it goes.
    await expect(page.goto(`http://localhost:${site.port}/redirect-out`)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(requested('/plain-by-page') + requested('/plain-popup') + requested('/plain-redirected')).toBe(0);
    expect(requested('/redirect-out')).toBe(1);

    const logs = await logsOf(sessionId);
    const blocked = logs.filter((e) => e.method === 'Hangar.requestBlocked').map((e) => e.request?.params);
    expect(blocked).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ url: `${site.origin}/plain-blocked`, reason: 'allowedDomains', resourceType: 'Document' }),
        expect.objectContaining({ url: `${site.origin}/plain-by-page`, reason: 'allowedDomains' }),
        expect.objectContaining({ url: `${site.origin}/plain-popup`, reason: 'allowedDomains' }),
        expect.objectContaining({ url: `${site.origin}/plain-redirected`, reason: 'allowedDomains' }),
      ]),
    );
    expect(logs.some((e) => e.method === 'Network.loadingFailed' && JSON.stringify(e.request?.params).includes('ERR_BLOCKED_BY_CLIENT'))).toBe(true);
  });

  it('blockAds: the filter list\'s ad requests never reach the site, the page\'s own do', async () => {
    const { sessionId, browser } = await fx.session(node, { blockAds: true });
    const page = await firstPage(browser);
    const from = site.seen.length;
    await page.goto(`${site.origin}/ads`, { waitUntil: 'load' });
    expect(requested('/images/logo.gif', from)).toBe(1);
    for (const ad of ['/banners/300x250.gif', '/js/flyad.js', '/img/160x600.gif']) expect(requested(ad, from)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { adScriptRan?: boolean }).adScriptRan)).toBeUndefined();
    const blocked = (await logsOf(sessionId)).filter((e) => e.method === 'Hangar.requestBlocked').map((e) => e.request?.params as { url: string; reason: string; filter?: string });
    expect(blocked.map((b) => new URL(b.url).pathname).sort()).toEqual(['/banners/300x250.gif', '/img/160x600.gif', '/js/flyad.js']);
    for (const b of blocked) expect(b).toMatchObject({ reason: 'blockAds', filter: expect.any(String) });
  });

  it('without either setting nothing is judged', async () => {
    const { browser } = await fx.session(node, {});
    const page = await firstPage(browser);
    const from = site.seen.length;
    await page.goto(`${site.origin}/ads`, { waitUntil: 'load' });
    await eventually(() => requested('/js/flyad.js', from), (n) => n > 0, 5_000);
  });
});
