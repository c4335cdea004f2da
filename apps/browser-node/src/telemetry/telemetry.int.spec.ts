import type { Page } from 'puppeteer-core';
import { recordingAnswer, type SessionLogEntry, type TelemetryKind, type TelemetryMessage } from '@hangar/contracts';
import { TelemetryLog } from '@hangar/messaging';
import { eventually } from '@hangar/testing';
import { firstPage, useNodeFixture } from '../test/node-fixture.js';
import { stopOnNode, type RunningNode } from '../test/node-harness.js';
import { REDACTED } from './redact.js';
import { BIG_PAGE_LAST_LINE, SET_COOKIE_SECRET, startTestSite, type TestSite } from './telemetry-test-site.js';

const fx = useNodeFixture();
const AUTH_SECRET = 'Bearer client-auth-secret';
const COOKIE_SECRET = 'client-cookie-secret';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite();
});
afterAll(async () => {
  await site?.close();
});

/** Stops the session and reads both kinds once each has its `end`. */
async function endAndRead(node: RunningNode, sessionId: string): Promise<Record<TelemetryKind, TelemetryMessage[]>> {
  const stopped = await stopOnNode(fx.h, node.nodeId, sessionId);
  if (!stopped.ok) throw new Error(stopped.error.message);
  const log = await TelemetryLog.create(fx.h.nats.nc);
  const read = async (kind: TelemetryKind) =>
    eventually(
      async () => (await log.read(sessionId, kind)).map((m) => m.message),
      (messages) => messages.at(-1)?.type === 'end',
      15_000,
    );
  return { logs: await read('logs'), recording: await read('recording') };
}

const entries = (messages: TelemetryMessage[]): SessionLogEntry[] => messages.flatMap((m) => (m.type === 'logs' ? m.entries : []));
const events = (messages: TelemetryMessage[]) => messages.flatMap((m) => (m.type === 'recording' ? m.events : []));

async function visitStrictPage(page: Page): Promise<void> {
  await page.setExtraHTTPHeaders({ authorization: AUTH_SECRET });
  await page.setCookie({ name: 'client', value: COOKIE_SECRET, url: site.origin });
  await page.goto(`${site.origin}/csp`, { waitUntil: 'load' });
  const frame = await eventually(
    () => page.frames().find((f) => f.url().startsWith(`http://localhost:${site.port}/frame`)),
    (f) => f !== undefined,
    10_000,
  );
  await eventually(() => frame!.evaluate(() => document.body?.textContent ?? ''), (t) => t.includes('frame script ran'), 10_000);
  // The recorder's page-side batching (500 ms) and the node's (1 s) have passed.
  await new Promise((r) => setTimeout(r, 2_000));
}

describe('session telemetry', () => {
  let node: RunningNode;
  beforeAll(async () => {
    // A warm pool of one: the first session runs on a browser whose about:blank was open before it.
    node = await fx.launchNode('tel-a', { HANGAR_MAX_SESSIONS: '4', HANGAR_WARM_POOL: '1' });
    await fx.watch(node.nodeId).next((b) => b.warmSlots === 1, 20_000);
  });

  it('records a strict-CSP page with a shadow root and a cross-origin iframe, a popup, and logs commands and network with credentials redacted', async () => {
    const { sessionId, browser } = await fx.session(node);
    const page = await firstPage(browser);
    await visitStrictPage(page);
    // The page still works under the recorder: its own script ran and no CSP rule was broken.
    expect(await page.evaluate(() => (window as unknown as { appRan?: boolean }).appRan)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { problems: string[] }).problems)).toEqual([]);
    expect(site.seenHeaders.some((h) => h.authorization === AUTH_SECRET && h.cookie?.includes(COOKIE_SECRET))).toBe(true);

    const popupTarget = browser.waitForTarget((t) => t.url().endsWith('/popup'));
    await page.evaluate((url) => void window.open(url), `${site.origin}/popup`);
    const popup = (await (await popupTarget).page())!;
    await eventually(() => popup.evaluate(() => document.body?.textContent ?? ''), (t) => t.includes('popup page'), 10_000);
    // A tab the client opens itself (Target.createTarget).
    const tab = await browser.newPage();
    await tab.goto(`${site.origin}/popup?tab`, { waitUntil: 'load' });
    await new Promise((r) => setTimeout(r, 2_000));

    const { logs, recording } = await endAndRead(node, sessionId);

    const recorded = events(recording);
    for (const e of recorded) expect(e.sessionId).toBe(sessionId);
    const text = JSON.stringify(recorded);
    // A full snapshot (type 2) of the strict page, with its shadow root and the cross-origin frame's content.
    expect(recorded.some((e) => e.type === 2 && JSON.stringify(e.data).includes('strict page'))).toBe(true);
    expect(text).toContain('shadow content');
    expect(text).toContain('inside the frame');
    // A same-origin frame is recorded by its parent's recorder, which alone runs there: once.
    expect(text.split('inside the same-origin frame').length - 1).toBe(1);
    // The popup was recorded from its first document: its Meta event (type 4) and its content.
    expect(recorded.some((e) => e.type === 4 && String(e.data.href).endsWith('/popup'))).toBe(true);
    expect(text).toContain('popup page');
    expect(recorded.some((e) => e.type === 4 && String(e.data.href).endsWith('/popup?tab'))).toBe(true);
    // The recorder was armed before the session (its warm browser's observer, bound at the start), and quickly.
    const armed = node.logs.filter((l) => l.includes('observer armed') && l.includes(sessionId)).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { observerMs: number; prearmed: boolean });
    expect(armed).toHaveLength(1);
    expect(armed[0]!.prearmed).toBe(true);
    expect(armed[0]!.observerMs).toBeLessThan(1_000);

    const logged = entries(logs);
    const navigate = logged.find((e) => e.method === 'Page.navigate' && e.request?.params.url === `${site.origin}/csp`);
    expect(navigate?.response?.result).toHaveProperty('frameId');
    expect(navigate?.response?.rawBody).toContain('"frameId"');
    expect(logged.some((e) => e.method === 'Network.requestWillBeSent' && (e.request?.params.request as { url?: string })?.url === `${site.origin}/app.js`)).toBe(true);
    expect(logged.some((e) => e.method === 'Network.responseReceived')).toBe(true);
    expect(logged.some((e) => e.method === 'Page.frameNavigated')).toBe(true);
    // The popup and the tab have page ids of their own.
    const pageIdsOf = (suffix: string) =>
      [
        ...new Set(
          logged
            .filter((e) => e.method === 'Page.frameNavigated')
            .map((e) => ({ pageId: e.pageId, frame: e.request?.params.frame as { url?: string; parentId?: string } }))
            .filter(({ frame }) => !frame.parentId && frame.url?.endsWith(suffix))
            .map(({ pageId }) => pageId),
        ),
      ];
    const [popupIds, tabIds] = [pageIdsOf('/popup'), pageIdsOf('/popup?tab')];
    expect([popupIds.length, tabIds.length]).toEqual([1, 1]);
    expect(new Set([navigate!.pageId, popupIds[0], tabIds[0]]).size).toBe(3);
    // Credentials never reach telemetry: neither the client's own nor the server's Set-Cookie.
    const all = JSON.stringify(logs);
    expect(all).not.toContain('client-auth-secret');
    expect(all).not.toContain(COOKIE_SECRET);
    expect(all).not.toContain(SET_COOKIE_SECRET);
    expect(all).toContain(REDACTED);
    const setHeaders = logged.find((e) => e.method === 'Network.setExtraHTTPHeaders');
    expect(setHeaders?.request?.params).toEqual({ headers: { authorization: REDACTED } });
    expect(logs.at(-1)).toEqual({ type: 'end' });
    expect(recording.at(-1)).toEqual({ type: 'end' });
  }, 90_000);

  it('publishes nothing but `end` for a session with recordSession and logSession off', async () => {
    const { sessionId, browser } = await fx.session(node, { recordSession: false, logSession: false });
    const page = await firstPage(browser);
    await page.goto(`${site.origin}/csp`, { waitUntil: 'load' });
    // Its warm browser's observer (armed for the defaults) was closed, and its recorder with it.
    expect(node.logs.some((l) => l.includes('session start timing') && l.includes(sessionId) && l.includes('"warm":true'))).toBe(true);
    expect(await page.evaluate(() => (document as unknown as { __hangarRecording?: boolean }).__hangarRecording)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1_500));
    const { logs, recording } = await endAndRead(node, sessionId);
    expect(logs).toEqual([{ type: 'end' }]);
    expect(recording).toEqual([{ type: 'end' }]);
  }, 60_000);

  it('survives a page that calls the recorder binding with garbage', async () => {
    const { sessionId, browser } = await fx.session(node, { logSession: false });
    const page = await firstPage(browser);
    await page.goto(`${site.origin}/popup`, { waitUntil: 'load' });
    await page.evaluate(() => {
      const send = (window as unknown as Record<string, (s: unknown) => void>).__hangarRecorder!;
      for (const junk of ['not json', '{"a":1}', '[1,null,{"type":"x"},{"type":2,"timestamp":1,"data":[]}]', 42, '[{"type":99,"timestamp":5,"data":{"forged":true},"sessionId":"another-session"}]']) {
        try {
          send(junk);
        } catch {
          // Chromium itself refuses a non-string argument.
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1_500));
    // Still recording after the garbage.
    await page.evaluate(() => document.body.appendChild(document.createElement('b')).append('after garbage'));
    await new Promise((r) => setTimeout(r, 2_000));
    const { recording } = await endAndRead(node, sessionId);
    const recorded = events(recording);
    // Shaped events are kept (the page may write into its own recording, and only there: the
    // session id is the node's, never the page's), everything else dropped.
    expect(recorded.filter((e) => e.data.forged)).toEqual([{ type: 99, timestamp: 5, data: { forged: true }, sessionId }]);
    expect(JSON.stringify(recorded)).toContain('after garbage');
  }, 60_000);
});

describe('session telemetry of large pages and of the last moment', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await fx.launchNode('tel-big', { HANGAR_MAX_SESSIONS: '2', HANGAR_WARM_POOL: '0' });
  });

  it('records a page whose full snapshot is bigger than a telemetry message, whole, in parts', async () => {
    const { sessionId, browser } = await fx.session(node, { logSession: false });
    await (await firstPage(browser)).goto(`${site.origin}/big`, { waitUntil: 'load' });
    await new Promise((r) => setTimeout(r, 2_000));
    const { recording } = await endAndRead(node, sessionId);
    const parts = recording.filter((m) => m.type === 'chunk');
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(recording.filter((m) => m.type === 'truncated')).toEqual([]);
    // What the archiver stores and the gateway answers (contracts telemetry-answer.ts).
    const { entries, truncated } = recordingAnswer(sessionId, recording, { fallbackTimestamp: 0, endedAt: Date.now() });
    expect(truncated).toBe(false);
    const snapshot = entries.find((e) => e.type === 2 && JSON.stringify(e.data).includes(BIG_PAGE_LAST_LINE));
    expect(Buffer.byteLength(JSON.stringify(snapshot))).toBeGreaterThan(1024 * 1024);
    expect(JSON.stringify(snapshot)).toContain('.rule-2999');
    expect(snapshot!.sessionId).toBe(sessionId);
    // The node killed after the second part: the snapshot is a marker, not an error.
    const cut = recording.slice(0, recording.indexOf(parts[1]!) + 1);
    const killed = recordingAnswer(sessionId, cut, { fallbackTimestamp: 0, endedAt: Date.now() });
    expect(killed.truncated).toBe(true);
    expect(killed.entries.some((e) => JSON.stringify(e).includes(BIG_PAGE_LAST_LINE))).toBe(false);
    expect(killed.entries.filter((e) => e.type === 5).map((e) => (e.data.payload as { reason: string }).reason)).toEqual([
      expect.stringContaining('last parts are missing'),
      expect.stringContaining('stopped reporting'),
    ]);
  }, 90_000);

  it('records a page released as soon as it has loaded (its recorder starts after the load, or at the flush), and a page whose load never comes', async () => {
    const fullSnapshotOf = (recording: Parameters<typeof events>[0], text: string) => events(recording).find((e) => e.type === 2 && JSON.stringify(e.data).includes(text));
    const released = await fx.session(node, { logSession: false });
    await (await firstPage(released.browser)).goto(`${site.origin}/popup`, { waitUntil: 'load' });
    expect(fullSnapshotOf((await endAndRead(node, released.sessionId)).recording, 'popup page')).toBeDefined();

    const hanging = await fx.session(node, { logSession: false });
    await (await firstPage(hanging.browser)).goto(`${site.origin}/hanging`, { waitUntil: 'domcontentloaded' });
    await new Promise((r) => setTimeout(r, 3_500));
    const endAt = Date.now();
    const snapshot = fullSnapshotOf((await endAndRead(node, hanging.sessionId)).recording, 'loaded but never done');
    // Taken about 2 s after its DOM, not by the release's flush.
    expect(snapshot).toBeDefined();
    expect(snapshot!.timestamp).toBeLessThan(endAt - 500);
  }, 90_000);

  it("keeps a page's last change when the session is released right after it, and a hung page does not hold up the release", async () => {
    const endingMs = (sessionId: string) => {
      const line = node.logs.find((l) => l.includes('session end timing') && l.includes(sessionId))!;
      return (JSON.parse(line.slice(line.indexOf('{'))) as { endingMs: number }).endingMs;
    };
    const timings: Record<string, number[]> = { recorded: [], unrecorded: [], hung: [] };
    for (const round of [1, 2]) {
      for (const variant of ['recorded', 'unrecorded', 'hung'] as const) {
        const { sessionId, browser } = await fx.session(node, { recordSession: variant !== 'unrecorded' });
        const page = await firstPage(browser);
        await page.goto(`${site.origin}/popup`, { waitUntil: 'load' });
        await new Promise((r) => setTimeout(r, 1_500));
        const words = `last words ${round} ${variant}`;
        await page.evaluate((w) => void document.body.appendChild(document.createElement('p')).append(w), words);
        // A page that never yields again: the flush cannot be answered.
        if (variant === 'hung') await page.evaluate(() => void setTimeout(() => { for (;;); }, 0));
        const t0 = performance.now();
        const { recording } = await endAndRead(node, sessionId);
        const releaseMs = performance.now() - t0;
        timings[variant]!.push(endingMs(sessionId));
        expect(releaseMs).toBeLessThan(variant === 'hung' ? 3_000 : 2_000);
        if (variant === 'recorded') expect(JSON.stringify(events(recording))).toContain(words);
        if (variant === 'unrecorded') expect(recording).toEqual([{ type: 'end' }]);
        if (variant === 'hung') expect(recording.at(-1)).toEqual({ type: 'end' });
      }
    }
    // The cost a release pays before its kill (registry endingMs): nothing without recording, bounded when a page hangs.
    console.log(`ending step (ms): ${JSON.stringify(timings)}`);
    for (const ms of timings.unrecorded!) expect(ms).toBeLessThanOrEqual(5);
    for (const ms of timings.hung!) expect(ms).toBeLessThan(450);
  }, 120_000);
});

describe('session telemetry caps', () => {
  it('publishes one `truncated` per kind once a session reaches its caps', async () => {
    const node = await fx.launchNode('tel-caps', { HANGAR_MAX_SESSIONS: '2', HANGAR_WARM_POOL: '0', HANGAR_LOG_MAX_BYTES: '4096', HANGAR_RECORDING_MAX_BYTES: '2048' });
    const { sessionId, browser } = await fx.session(node);
    const page = await firstPage(browser);
    await visitStrictPage(page);
    const { logs, recording } = await endAndRead(node, sessionId);
    for (const messages of [logs, recording]) {
      expect(messages.filter((m) => m.type === 'truncated')).toHaveLength(1);
      expect(messages.at(-1)).toEqual({ type: 'end' });
    }
    const kept = JSON.stringify(entries(logs)).length;
    expect(kept).toBeLessThanOrEqual(4096);
  }, 90_000);
});

describe('session telemetry at node shutdown', () => {
  it('still publishes `end` for both kinds of a session the shutdown ends', async () => {
    const node = await fx.launchNode('tel-stop', { HANGAR_MAX_SESSIONS: '2', HANGAR_WARM_POOL: '0' });
    const { sessionId, browser } = await fx.session(node);
    await (await firstPage(browser)).goto(`${site.origin}/popup`, { waitUntil: 'load' });
    await new Promise((r) => setTimeout(r, 1_500));
    await node.service.stop('SIGTERM', 10_000);
    const log = await TelemetryLog.create(fx.h.nats.nc);
    for (const kind of ['logs', 'recording'] as const) {
      const messages = (await log.read(sessionId, kind)).map((m) => m.message);
      expect(messages.at(-1)).toEqual({ type: 'end' });
      expect(messages.length).toBeGreaterThan(1);
    }
  }, 60_000);
});
