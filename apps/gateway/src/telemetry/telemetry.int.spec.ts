import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { FsArtifactStore } from '@hangar/artifacts';
import { TRUNCATION_METHOD, type TelemetryKind, type TelemetryMessage } from '@hangar/contracts';
import { sessionAggregate, sessionArtifactKey } from '@hangar/domain';
import { executeCommands, TelemetryLog } from '@hangar/messaging';
import { tempDir } from '@hangar/testing';
import type { RunningGateway } from '../app.factory.js';
import { mintViewToken } from '../auth/view-token.js';
import { apiClient } from '../testing/http-client.js';
import { openApiValidator } from '../testing/openapi-validator.js';
import { bootGateway, seedProjectRows, SIGNING_SECRET, startInfra, type Infra, type SeededProject } from '../testing/infra.js';

/*
 * The read side of logs and recording on a real gateway, NATS and Postgres, with the folder
 * artifact store: running sessions answer from the telemetry stream, ended (archived) ones from
 * the artifact, as the archiver (apps/projector/src/archiver) leaves it. Sessions live in the
 * domain log only (no projector: the gateway folds them from the stream).
 */
let infra: Infra;
let gateway: RunningGateway;
let a: SeededProject;
let b: SeededProject;
let artifacts: FsArtifactStore;
let telemetry: TelemetryLog;
let callA: ReturnType<typeof apiClient>;
let callB: ReturnType<typeof apiClient>;
let anon: ReturnType<typeof apiClient>;
const meta = { correlationId: 'telemetry-it' };

beforeAll(async () => {
  infra = await startInfra();
  const artifactDir = tempDir('hangar-gateway-artifacts-');
  gateway = await bootGateway(infra, { HANGAR_ARTIFACT_DIR: artifactDir, HANGAR_LIST_WAIT_MS: '0', HANGAR_TELEMETRY_WAIT_MS: '2000' });
  artifacts = await FsArtifactStore.open(artifactDir);
  infra.defer(() => artifacts.close());
  // The gateway created the telemetry stream at boot.
  telemetry = await TelemetryLog.create(infra.nats.nc);
  [a, b] = [await seedProjectRows(infra.repos), await seedProjectRows(infra.repos)];
  [callA, callB, anon] = [apiClient(gateway.url, a.apiKey), apiClient(gateway.url, b.apiKey), apiClient(gateway.url)];
});
afterAll(async () => {
  await infra?.stop();
});

async function runningSession(projectId: string): Promise<string> {
  const sessionId = randomUUID();
  const data = { sessionId, projectId, keepAlive: false, timeoutSeconds: 300, region: 'us-west-2' as const, expiresAt: new Date(Date.now() + 300_000).toISOString(), browserSettings: {} };
  await executeCommands(infra.store, sessionAggregate, sessionId, [{ type: 'Request', data }, { type: 'Schedule', nodeId: 'n1' }, { type: 'Start', nodeId: 'n1', endpoint: `ws://127.0.0.1:1/sessions/${sessionId}`, pid: 1 }], meta);
  return sessionId;
}
const endSession = (sessionId: string) => executeCommands(infra.store, sessionAggregate, sessionId, [{ type: 'End', reason: 'RELEASED' }], meta);
const publish = (sessionId: string, kind: TelemetryKind, message: TelemetryMessage) => telemetry.publish(sessionId, kind, message);
const log = (sessionId: string, method: string, timestamp: number) => ({ method, pageId: 1, sessionId, timestamp, request: { params: {}, rawBody: '{}' } });
const rrweb = (sessionId: string, type: number, timestamp: number, data: Record<string, unknown> = {}) => ({ type, timestamp, sessionId, data });

/** What the archiver stores: one JSON value per line, gzip'd. */
const storeArtifact = (projectId: string, sessionId: string, kind: TelemetryKind, entries: unknown[]) =>
  artifacts.put(sessionArtifactKey(projectId, sessionId, kind), gzipSync(entries.map((e) => `${JSON.stringify(e)}\n`).join('')));

describe('GET /v1/sessions/:id/logs and /recording', () => {
  it("a read right after the end waits for the node's last batch and `end`, then answers them all", async () => {
    const id = await runningSession(a.projectId);
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.navigate', 1_000)] });
    await endSession(id);
    // The node publishes its tail once the browser is gone, a moment after the end is recorded.
    const tail = new Promise<void>((resolve) =>
      setTimeout(() => {
        void publish(id, 'logs', { type: 'logs', entries: [log(id, 'Runtime.evaluate', 1_001)] })
          .then(() => publish(id, 'logs', { type: 'end' }))
          .then(() => resolve());
      }, 400),
    );
    const logs = await callA('GET', `/v1/sessions/${id}/logs`);
    await tail;
    expect(logs.status).toBe(200);
    expect((logs.body as Array<{ method: string }>).map((e) => e.method)).toEqual(['Page.navigate', 'Runtime.evaluate']);
  });

  it('a running session answers from the telemetry stream: logs in order with the truncation marker in place, recording in time order', async () => {
    const id = await runningSession(a.projectId);
    expect((await callA('GET', `/v1/sessions/${id}/logs`)).body).toEqual([]);
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.navigate', 1_000)] });
    await publish(id, 'logs', { type: 'truncated', reason: 'log cap reached', droppedBytes: 10 });
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.loadEventFired', 1_002)] });
    await publish(id, 'recording', { type: 'recording', events: [rrweb(id, 4, 2_000), rrweb(id, 3, 2_010)] });
    await publish(id, 'recording', { type: 'recording', events: [rrweb(id, 2, 2_005)] });

    const logs = await callA('GET', `/v1/sessions/${id}/logs`);
    expect(logs.status).toBe(200);
    expect(logs.headers.get('x-hangar-telemetry-source')).toBe('stream');
    expect(logs.body).toEqual([
      log(id, 'Page.navigate', 1_000),
      { method: TRUNCATION_METHOD, pageId: 0, sessionId: id, timestamp: 1_000, request: { params: { reason: 'log cap reached', droppedBytes: 10 }, rawBody: '' } },
      log(id, 'Page.loadEventFired', 1_002),
    ]);
    const recording = await callA('GET', `/v1/sessions/${id}/recording`);
    expect(recording.status).toBe(200);
    expect(recording.body.map((e: { timestamp: number }) => e.timestamp)).toEqual([2_000, 2_005, 2_010]);
  });

  it('an archived session answers from its artifact, streamed as stored (large, multi-byte text across chunks)', async () => {
    const id = await runningSession(a.projectId);
    await endSession(id);
    const events = Array.from({ length: 3_000 }, (_, i) => rrweb(id, 3, 10_000 + i, { text: `é✓😀 ${'x'.repeat(i % 200)}` }));
    await storeArtifact(a.projectId, id, 'recording', events);
    await storeArtifact(a.projectId, id, 'logs', []);
    const recording = await callA('GET', `/v1/sessions/${id}/recording`);
    expect(recording.headers.get('x-hangar-telemetry-source')).toBe('artifact');
    expect(recording.body).toEqual(events);
    const logs = await callA('GET', `/v1/sessions/${id}/logs`);
    expect(logs.body).toEqual([]);
  });

  it('an ended session not archived yet answers from the stream; one with neither answers an empty array', async () => {
    const pending = await runningSession(a.projectId);
    await publish(pending, 'logs', { type: 'logs', entries: [log(pending, 'Page.navigate', 1)] });
    await endSession(pending);
    expect((await callA('GET', `/v1/sessions/${pending}/logs`)).body).toEqual([log(pending, 'Page.navigate', 1)]);

    const empty = await runningSession(a.projectId);
    await endSession(empty);
    const res = await callA('GET', `/v1/sessions/${empty}/recording`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it("401 without a valid key; another project's session is 404, as is an unknown or malformed id, naming it", async () => {
    const id = await runningSession(a.projectId);
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Secret.ofA', 1)] });
    for (const route of ['logs', 'recording', 'replay']) {
      expect((await anon('GET', `/v1/sessions/${id}/${route}`)).status).toBe(401);
      expect((await apiClient(gateway.url, 'hgr_nope')('GET', `/v1/sessions/${id}/${route}`)).status).toBe(401);
      const other = await callB('GET', `/v1/sessions/${id}/${route}`);
      expect(other.status).toBe(404);
      expect(JSON.stringify(other.body)).not.toContain('Secret.ofA');
      expect((await callA('GET', `/v1/sessions/${randomUUID()}/${route}`)).status).toBe(404);
      const bad = await callA('GET', `/v1/sessions/a.b/${route}`);
      expect(bad.status).toBe(404);
      expect(bad.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'session a.b was not found' });
    }
  });
});

it('every answer, markers included, matches the OpenAPI document the gateway serves', async () => {
  const validator = openApiValidator((await anon('GET', '/openapi.json')).body);
  const id = await runningSession(a.projectId);
  await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.navigate', 1)] });
  await publish(id, 'logs', { type: 'truncated', reason: 'cap' });
  await publish(id, 'recording', { type: 'recording', events: [rrweb(id, 4, 1, { href: 'x' })] });
  await publish(id, 'recording', { type: 'truncated', reason: 'cap', droppedBytes: 1 });
  const exchanges: [ReturnType<typeof apiClient>, string, string][] = [
    [callA, '/v1/sessions/{id}/logs', `/v1/sessions/${id}/logs`],
    [callA, '/v1/sessions/{id}/recording', `/v1/sessions/${id}/recording`],
    [callA, '/v1/sessions/{id}/replay', `/v1/sessions/${id}/replay`],
    [callA, '/v1/sessions/{id}/replay', `/v1/sessions/${id}/replay?expiresIn=0`],
    [callB, '/v1/sessions/{id}/logs', `/v1/sessions/${id}/logs`],
    [anon, '/v1/sessions/{id}/recording', `/v1/sessions/${id}/recording`],
  ];
  const statuses: number[] = [];
  for (const [call, route, path] of exchanges) {
    const res = await call('GET', path);
    statuses.push(res.status);
    expect(validator.response('GET', route, res.status, res.body)).toEqual([]);
  }
  expect(statuses).toEqual([200, 200, 200, 400, 404, 401]);
});

describe('the replay page', () => {
  it('GET /v1/sessions/:id/replay hands out a URL whose token opens the page and its events', async () => {
    const id = await runningSession(a.projectId);
    await publish(id, 'recording', { type: 'recording', events: [rrweb(id, 4, 1), rrweb(id, 2, 2)] });
    const before = Date.now();
    const res = await callA('GET', `/v1/sessions/${id}/replay?expiresIn=120`);
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(new RegExp(`^${gateway.url}/replay/${id}\\?token=[^&]+$`));
    const expiresAt = Date.parse(res.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 119_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 121_000);

    const page = await fetch(res.body.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    const token = new URL(res.body.url).searchParams.get('token')!;
    // No secret in the page: neither its token nor the session's id.
    expect(html).not.toContain(token);
    expect(html).not.toContain(id);
    const scripts = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['/replay-assets/rrweb-player.css', '/replay-assets/rrweb-player.js', '/replay-assets/replay.js']);
    for (const asset of scripts) {
      const file = await fetch(`${gateway.url}${asset}`);
      expect({ asset, status: file.status, big: (await file.text()).length > 500 }).toEqual({ asset, status: 200, big: true });
    }

    const events = await fetch(`${gateway.url}/replay/${id}/events?token=${encodeURIComponent(token)}`);
    expect(events.status).toBe(200);
    expect(await events.json()).toEqual([rrweb(id, 4, 1), rrweb(id, 2, 2)]);
  });

  it('refuses a missing, forged, expired, other-session or other-scope token with a readable 401', async () => {
    const id = await runningSession(a.projectId);
    const other = await runningSession(a.projectId);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const tokens: [string, string | undefined, RegExp][] = [
      ['missing', undefined, /no valid token/],
      ['forged', mintViewToken('another-secret', { sessionId: id, projectId: a.projectId, scope: 'replay', exp }), /not issued by this Hangar/],
      ['expired', mintViewToken(SIGNING_SECRET, { sessionId: id, projectId: a.projectId, scope: 'replay', exp: Math.floor(Date.now() / 1000) - 1 }), /expired/],
      ['another session', mintViewToken(SIGNING_SECRET, { sessionId: other, projectId: a.projectId, scope: 'replay', exp }), /another session/],
      ['the live view', mintViewToken(SIGNING_SECRET, { sessionId: id, projectId: a.projectId, scope: 'live', exp }), /not a replay link/],
    ];
    for (const [what, token, message] of tokens) {
      for (const path of [`/replay/${id}`, `/replay/${id}/events`]) {
        const res = await anon('GET', token ? `${path}?token=${encodeURIComponent(token)}` : path);
        expect({ what, path, status: res.status, message: res.body.message }).toEqual({ what, path, status: 401, message: expect.stringMatching(message) });
      }
    }
    // A genuine token of project A for a session that is not A's finds nothing.
    const ofB = await runningSession(b.projectId);
    const crossed = mintViewToken(SIGNING_SECRET, { sessionId: ofB, projectId: a.projectId, scope: 'replay', exp });
    expect((await anon('GET', `/replay/${ofB}/events?token=${encodeURIComponent(crossed)}`)).status).toBe(404);
  });

  it('expiresIn outside 1..21600 is a 400 naming it; only the player files are served', async () => {
    const id = await runningSession(a.projectId);
    for (const expiresIn of ['0', '21601', 'abc', '1.5', '-5']) {
      const res = await callA('GET', `/v1/sessions/${id}/replay?expiresIn=${expiresIn}`);
      expect({ expiresIn, status: res.status, message: res.body.message }).toEqual({ expiresIn, status: 400, message: 'expiresIn must be an integer number of seconds from 1 to 21600' });
    }
    expect(Date.parse((await callA('GET', `/v1/sessions/${id}/replay`)).body.expiresAt) - Date.now()).toBeGreaterThan(3_590_000);
    for (const probe of ['/replay-assets/package.json', '/replay-assets/..%2Fpackage.json', '/replay-assets/rrweb-player.umd.min.cjs', '/replay-assets/style.min.css']) {
      expect({ probe, status: (await anon('GET', probe)).status }).toEqual({ probe, status: 404 });
    }
  });
});
