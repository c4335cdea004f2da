import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { jetstream } from '@nats-io/jetstream';
import { NODE_STOPPED_REPORTING, subjects, telemetrySubjects, TRUNCATION_METHOD, type TelemetryMessage } from '@hangar/contracts';
import { chromiumProcesses, eventually, startTestStack, type TestStack } from './harness.js';

/*
 * The read side of logs and recording through the whole stack and the official SDK: whatever the
 * node captured, an ended session is archived by the projector (SessionArtifactStored for both
 * kinds), and `logs.list` / `recording.retrieve` answer arrays, also for a session that captured
 * nothing; the replay URL serves the same recording to a browser with no API key.
 */
describe('logs, recording and replay of ended sessions', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<title>replay e2e</title><h1>recorded</h1><script>setTimeout(() => document.body.append("later"), 200)</script>');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    t = await startTestStack({ concurrency: 3, env: { projector: { HANGAR_ARCHIVE_WAIT_MS: '5000' } } });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => site?.close(r));
  });

  const artifactKinds = async (id: string) => {
    const events = await t.stack.store.read(subjects.sessionEvents(id));
    return events.flatMap(({ event }) => (event.type === 'SessionArtifactStored' ? [event.data.kind] : [])).sort();
  };

  it.each([
    ['the defaults (logging and recording on)', {}],
    ['logSession and recordSession off', { browserSettings: { logSession: false, recordSession: false } }],
  ])('%s: once archived, logs.list and recording.retrieve answer arrays', async (_what, settings) => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId, ...settings });
    const browser = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    const [page] = await browser.pages();
    await page!.goto(siteUrl);
    await page!.waitForFunction(() => document.body.textContent?.includes('later'));
    // While it runs: arrays too (from the telemetry stream).
    expect(Array.isArray(await bb.sessions.logs.list(created.id))).toBe(true);
    await browser.disconnect();
    await bb.sessions.update(created.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });

    await eventually(() => artifactKinds(created.id), (kinds) => kinds.join() === 'downloads,logs,recording', 30_000, 250);
    const logs = await bb.sessions.logs.list(created.id);
    const recording = await bb.sessions.recording.retrieve(created.id);
    expect(Array.isArray(logs)).toBe(true);
    expect(Array.isArray(recording)).toBe(true);
    for (const entry of logs) expect(entry).toMatchObject({ method: expect.any(String), pageId: expect.any(Number), sessionId: expect.any(String) });
    const times = recording.map((e) => e.timestamp);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    for (const event of recording) expect(event).toMatchObject({ type: expect.any(Number), timestamp: expect.any(Number), sessionId: expect.any(String) });

    // The replay URL: the same recording, for a browser that has no API key.
    const replay = await fetch(`${t.stack.apiUrl}/v1/sessions/${created.id}/replay`, { headers: { 'x-bb-api-key': t.stack.apiKey } });
    const { url } = (await replay.json()) as { url: string };
    expect((await fetch(url)).status).toBe(200);
    const token = new URL(url).searchParams.get('token')!;
    const events = await fetch(`${t.stack.apiUrl}/replay/${created.id}/events?token=${encodeURIComponent(token)}`);
    expect(await events.json()).toEqual(JSON.parse(JSON.stringify(recording)));
  }, 120_000);

  it("a key that is no project's is 401; another project's key finds no such session (404)", async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId });
    const nobody = new Browserbase({ apiKey: 'hgr_not_a_key', baseURL: t.stack.apiUrl, maxRetries: 0 });
    await expect(nobody.sessions.logs.list(created.id)).rejects.toMatchObject({ status: 401 });
    await expect(nobody.sessions.recording.retrieve(created.id)).rejects.toMatchObject({ status: 401 });
    const other = await t.stack.seedProject({ concurrency: 1, name: 'Other tenant' });
    // The gateway reads keys from the read model: the new project's key works once projected.
    const stranger = new Browserbase({ apiKey: other.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
    await eventually(() => stranger.projects.list().then(() => true, () => false), (ok) => ok, 15_000, 100);
    await expect(stranger.sessions.logs.list(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(stranger.sessions.recording.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await bb.sessions.update(created.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });
  }, 60_000);

  // Last: it kills the stack's only node (and starts it again).
  it('a node killed mid-session: what reached the stream is served, and the answer says the rest was lost', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    // What the node had published before it died (published here, so the check does not depend
    // on how much the node's own capture got out in time).
    const entry = { method: 'Page.navigate', pageId: 1, sessionId: created.id, timestamp: Date.now(), request: { params: { url: siteUrl }, rawBody: '' } };
    const batch: TelemetryMessage = { type: 'logs', entries: [entry] };
    await jetstream(t.stack.nc).publish(telemetrySubjects.of(created.id, 'logs'), JSON.stringify(batch));
    await t.stack.services.get('browser-node-1')!.stop('SIGKILL');
    await eventually(() => bb.sessions.retrieve(created.id), (s) => s.status === 'ERROR', 20_000, 200);
    // The node died with the downloads folder: only the archiver's two kinds are stored.
    await eventually(() => artifactKinds(created.id), (kinds) => kinds.join() === 'logs,recording', 30_000, 250);

    const logs = await bb.sessions.logs.list(created.id);
    expect(logs).toContainEqual(entry);
    expect(logs.at(-1)).toMatchObject({ method: TRUNCATION_METHOD, request: { params: { reason: NODE_STOPPED_REPORTING } } });
    const recording = await bb.sessions.recording.retrieve(created.id);
    expect(recording.at(-1)).toMatchObject({ type: 5, data: { tag: 'hangar.truncated', payload: { reason: NODE_STOPPED_REPORTING } } });

    // The node's next start kills the browsers it left behind.
    const orphans = chromiumProcesses(`${t.dataDir}/nodes/node-1/`);
    t.stack.startService('browser-node-1');
    await eventually(() => chromiumProcesses(`${t.dataDir}/nodes/node-1/`).filter((pid) => orphans.includes(pid)), (left) => left.length === 0, 20_000);
  }, 120_000);
});
