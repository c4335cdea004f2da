import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FsArtifactStore } from '@hangar/artifacts';
import { NODE_STOPPED_REPORTING, subjects, TRUNCATION_METHOD, type SessionArtifactKind, type TelemetryKind, type TelemetryMessage } from '@hangar/contracts';
import { sessionAggregate, sessionArtifactKey } from '@hangar/domain';
import { executeCommands, TelemetryLog } from '@hangar/messaging';
import { createLogger, NestPinoLogger } from '@hangar/runtime';
import { eventually, startTestNats, startTestPostgres, tempDir, type TestNats, type TestPostgres } from '@hangar/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM } from '@hangar/contracts';
import { envSchema } from '../env.js';
import { ARCHIVER_DURABLE } from './archive-consumer.js';
import { ProjectorModule } from '../projector.module.js';

/*
 * The archiver as it runs: the projector's Nest module booted in-process on a real nats-server,
 * a real Postgres and the folder artifact store in a temp dir. Telemetry is published as a node
 * publishes it (TelemetryLog.publish, an `end` per kind); sessions live and end in the domain log.
 */
const WAIT_MS = 1_500;
const logger = createLogger('archiver-it', process.env.LOG_LEVEL ?? 'silent');
const meta = { correlationId: 'archiver-it' };

let nats: TestNats;
let pg: TestPostgres;
let artifactDir: string;
let artifacts: FsArtifactStore;
let telemetry: TelemetryLog;
let projector: INestApplicationContext | undefined;

async function bootProjector(): Promise<INestApplicationContext> {
  const env = envSchema.parse({
    NATS_URL: nats.url,
    DATABASE_URL: pg.url,
    HANGAR_ARTIFACT_DIR: artifactDir,
    HANGAR_ARCHIVE_WAIT_MS: String(WAIT_MS),
    LOG_LEVEL: 'silent',
  });
  const app = await NestFactory.createApplicationContext(ProjectorModule.forRoot(env, logger), { logger: new NestPinoLogger(logger) });
  await app.init();
  return app;
}

beforeAll(async () => {
  [nats, pg] = await Promise.all([startTestNats(), startTestPostgres()]);
  artifactDir = tempDir('hangar-archiver-artifacts-');
  artifacts = await FsArtifactStore.open(artifactDir);
  projector = await bootProjector();
  // The projector created the telemetry stream at boot: a node can publish now.
  telemetry = await TelemetryLog.create(nats.nc);
});
afterAll(async () => {
  await projector?.close();
  await artifacts?.close();
  await pg?.stop();
  await nats?.stop();
});

const projectId = randomUUID();

async function startSession(browserSettings: { logSession?: boolean; recordSession?: boolean } = {}): Promise<string> {
  const sessionId = randomUUID();
  const data = { sessionId, projectId, keepAlive: false, timeoutSeconds: 300, region: 'us-west-2' as const, expiresAt: new Date(Date.now() + 300_000).toISOString(), browserSettings };
  await executeCommands(nats.store, sessionAggregate, sessionId, [{ type: 'Request', data }, { type: 'Schedule', nodeId: 'n1' }, { type: 'Start', nodeId: 'n1', endpoint: `ws://127.0.0.1:1/sessions/${sessionId}`, pid: 1 }], meta);
  return sessionId;
}

const endSession = (sessionId: string) => executeCommands(nats.store, sessionAggregate, sessionId, [{ type: 'End', reason: 'RELEASED' }], meta);
const publish = (sessionId: string, kind: TelemetryKind, message: TelemetryMessage) => telemetry.publish(sessionId, kind, message);

const log = (sessionId: string, method: string, timestamp: number) => ({ method, pageId: 1, sessionId, timestamp, request: { params: {}, rawBody: '{}' } });
const rrweb = (sessionId: string, type: number, timestamp: number) => ({ type, timestamp, sessionId, data: { n: timestamp } });

async function storedEvents(sessionId: string) {
  return (await nats.store.read(subjects.sessionEvents(sessionId))).map((e) => e.event).filter((e) => e.type === 'SessionArtifactStored');
}

async function artifactLines(sessionId: string, kind: SessionArtifactKind): Promise<unknown[] | undefined> {
  const bytes = await artifacts.get(sessionArtifactKey(projectId, sessionId, kind));
  if (!bytes) return undefined;
  return gunzipSync(bytes).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
}

const archived = (sessionId: string) => eventually(() => storedEvents(sessionId), (events) => events.length === 2, 20_000, 100);

describe('the archiver', () => {
  it('stores each kind as gzip NDJSON once both ends are in, records SessionArtifactStored and purges the telemetry', async () => {
    const id = await startSession();
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.navigate', 1_000), log(id, 'Network.requestWillBeSent', 1_001)] });
    await publish(id, 'logs', { type: 'truncated', reason: 'the session reached its log cap', droppedBytes: 4096 });
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.loadEventFired', 1_005)] });
    // Two pages' batches interleave out of time order: the artifact is in time order.
    await publish(id, 'recording', { type: 'recording', events: [rrweb(id, 4, 2_000), rrweb(id, 2, 2_010)] });
    await publish(id, 'recording', { type: 'recording', events: [rrweb(id, 3, 2_005), rrweb(id, 3, 2_020)] });
    await endSession(id);
    await publish(id, 'logs', { type: 'end' });
    await publish(id, 'recording', { type: 'end' });

    const events = await archived(id);
    const byKind = Object.fromEntries(events.map((e) => [e.data.kind, e.data]));
    expect(byKind.logs).toMatchObject({ key: sessionArtifactKey(projectId, id, 'logs'), truncated: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(byKind.recording).toMatchObject({ key: sessionArtifactKey(projectId, id, 'recording'), truncated: false });

    const logs = await artifactLines(id, 'logs');
    expect(logs).toEqual([
      log(id, 'Page.navigate', 1_000),
      log(id, 'Network.requestWillBeSent', 1_001),
      { method: TRUNCATION_METHOD, pageId: 0, sessionId: id, timestamp: 1_001, request: { params: { reason: 'the session reached its log cap', droppedBytes: 4096 }, rawBody: '' } },
      log(id, 'Page.loadEventFired', 1_005),
    ]);
    const recording = (await artifactLines(id, 'recording')) as { timestamp: number }[];
    expect(recording.map((e) => e.timestamp)).toEqual([2_000, 2_005, 2_010, 2_020]);
    const stored = await artifacts.list(`projects/${projectId}/sessions/${id}/`);
    expect(stored.find((a) => a.key.endsWith('logs.ndjson.gz'))?.bytes).toBe(byKind.logs!.bytes);

    await eventually(() => Promise.all([telemetry.read(id, 'logs'), telemetry.read(id, 'recording')]), ([l, r]) => l.length === 0 && r.length === 0, 10_000, 100);
  });

  it('a kind without its `end` (the node was killed) gets a last marker once the wait is over', async () => {
    const id = await startSession();
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.navigate', 5_000)] });
    await publish(id, 'recording', { type: 'recording', events: [rrweb(id, 4, 5_000)] });
    await publish(id, 'recording', { type: 'end' });
    const ended = Date.now();
    await endSession(id);

    const events = await archived(id);
    expect(Date.now() - ended).toBeGreaterThanOrEqual(WAIT_MS - 200);
    expect(Object.fromEntries(events.map((e) => [e.data.kind, e.data.truncated]))).toEqual({ logs: true, recording: false });
    const logs = (await artifactLines(id, 'logs')) as { method: string; timestamp: number; request: { params: unknown } }[];
    expect(logs).toHaveLength(2);
    expect(logs[1]).toMatchObject({ method: TRUNCATION_METHOD, sessionId: id, request: { params: { reason: NODE_STOPPED_REPORTING } } });
    expect(logs[1]!.timestamp).toBeGreaterThanOrEqual(ended - 1_000);
    expect(await artifactLines(id, 'recording')).toEqual([rrweb(id, 4, 5_000)]);
  });

  it('a session that records nothing still gets (empty) artifacts, without waiting for ends no node sends', async () => {
    const id = await startSession({ logSession: false, recordSession: false });
    const ended = Date.now();
    await endSession(id);
    const events = await archived(id);
    expect(Date.now() - ended).toBeLessThan(WAIT_MS);
    expect(events.map((e) => e.data.truncated)).toEqual([false, false]);
    expect(await artifactLines(id, 'logs')).toEqual([]);
    expect(await artifactLines(id, 'recording')).toEqual([]);
  });

  it("keeps to the session: another session's telemetry stays, and what a page writes into entries decides no key", async () => {
    const [a, b] = [await startSession(), await startSession()];
    // A page controls what its entries say, including ids and path-like strings.
    const hostile = { method: '../../../etc/passwd', pageId: 1, sessionId: b, timestamp: 1, request: { params: { key: `projects/${projectId}/sessions/${b}/logs.ndjson.gz` }, rawBody: '\u0000' } };
    await publish(a, 'logs', { type: 'logs', entries: [hostile] });
    await publish(b, 'logs', { type: 'logs', entries: [log(b, 'Page.navigate', 1)] });
    await endSession(a);
    await publish(a, 'logs', { type: 'end' });
    await publish(a, 'recording', { type: 'end' });
    await archived(a);
    expect(await artifactLines(a, 'logs')).toEqual([hostile]);
    expect(await artifactLines(b, 'logs')).toBeUndefined();
    expect((await telemetry.read(b, 'logs')).map((m) => m.message)).toEqual([{ type: 'logs', entries: [log(b, 'Page.navigate', 1)] }]);
    expect((await artifacts.list(`projects/${projectId}/sessions/${a}/`)).map((e) => e.key).sort()).toEqual(
      [sessionArtifactKey(projectId, a, 'logs'), sessionArtifactKey(projectId, a, 'recording')].sort(),
    );
  });

  it('a projector stopped while a session waits for its ends writes nothing; the next one archives it, not marked as cut short', async () => {
    const id = await startSession();
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.navigate', 9_000)] });
    await endSession(id);
    await new Promise((r) => setTimeout(r, 300));
    await projector!.close();
    projector = undefined;
    expect(await storedEvents(id)).toEqual([]);
    // The node's ends arrive while no projector runs.
    await publish(id, 'logs', { type: 'end' });
    await publish(id, 'recording', { type: 'end' });
    projector = await bootProjector();
    const events = await archived(id);
    expect(events.map((e) => e.data.truncated)).toEqual([false, false]);
    expect(await artifactLines(id, 'logs')).toEqual([log(id, 'Page.navigate', 9_000)]);
  });

  it('a durable consumer deleted by hand comes back, and the sessions that end afterwards are archived', async () => {
    const jsm = await jetstreamManager(nats.nc);
    expect(await jsm.consumers.delete(EVENTS_STREAM, ARCHIVER_DURABLE)).toBe(true);
    await eventually(() => jsm.consumers.info(EVENTS_STREAM, ARCHIVER_DURABLE).then(() => true, () => false), (back) => back, 15_000, 100);
    const id = await startSession();
    await endSession(id);
    await publish(id, 'logs', { type: 'end' });
    await publish(id, 'recording', { type: 'end' });
    expect((await archived(id)).map((e) => e.data.truncated)).toEqual([false, false]);
  });

  it('a session that ends while no projector runs is archived when it comes back, and one already archived is not archived again', async () => {
    const done = await startSession();
    await endSession(done);
    await publish(done, 'logs', { type: 'end' });
    await publish(done, 'recording', { type: 'end' });
    await archived(done);

    await projector!.close();
    projector = undefined;
    const id = await startSession();
    await publish(id, 'logs', { type: 'logs', entries: [log(id, 'Page.navigate', 7_000)] });
    await endSession(id);
    await publish(id, 'logs', { type: 'end' });
    await publish(id, 'recording', { type: 'end' });
    expect(await storedEvents(id)).toEqual([]);

    projector = await bootProjector();
    await archived(id);
    expect(await artifactLines(id, 'logs')).toEqual([log(id, 'Page.navigate', 7_000)]);
    // The restart redid nothing for the session archived before it.
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedEvents(done)).toHaveLength(2);
  });
});
