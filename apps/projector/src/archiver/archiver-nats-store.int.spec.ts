import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NatsArtifactStore } from '@hangar/artifacts';
import { subjects } from '@hangar/contracts';
import { sessionAggregate, sessionArtifactKey } from '@hangar/domain';
import { executeCommands, TelemetryLog } from '@hangar/messaging';
import { createLogger, NestPinoLogger } from '@hangar/runtime';
import { eventually, startTestNats, startTestPostgres, type TestNats, type TestPostgres } from '@hangar/testing';
import { envSchema } from '../env.js';
import { ProjectorModule } from '../projector.module.js';

/*
 * The archiver writing to the JetStream Object Store (HANGAR_ARTIFACT_STORE=nats, what compose
 * and k8s run: the projector and the gateway share no disk), on a real nats-server: the gzip
 * stream goes in as it is produced, and another store instance on the bucket reads it whole.
 */
const logger = createLogger('archiver-nats-it', process.env.LOG_LEVEL ?? 'silent');
let nats: TestNats;
let pg: TestPostgres;
let projector: INestApplicationContext | undefined;

beforeAll(async () => {
  [nats, pg] = await Promise.all([startTestNats(), startTestPostgres()]);
  const env = envSchema.parse({ NATS_URL: nats.url, DATABASE_URL: pg.url, HANGAR_ARTIFACT_STORE: 'nats', HANGAR_ARTIFACT_BUCKET: 'archiver-it', HANGAR_ARCHIVE_WAIT_MS: '1000', LOG_LEVEL: 'silent' });
  projector = await NestFactory.createApplicationContext(ProjectorModule.forRoot(env, logger), { logger: new NestPinoLogger(logger) });
  await projector.init();
});
afterAll(async () => {
  await projector?.close();
  await pg?.stop();
  await nats?.stop();
});

it('stores a session recording in the Object Store, read back through a store of its own, as the gateway reads it', async () => {
  const [projectId, sessionId] = [randomUUID(), randomUUID()];
  const data = { sessionId, projectId, keepAlive: false, timeoutSeconds: 300, region: 'us-west-2' as const, expiresAt: new Date(Date.now() + 300_000).toISOString(), browserSettings: {} };
  const meta = { correlationId: 'archiver-nats-it' };
  await executeCommands(nats.store, sessionAggregate, sessionId, [{ type: 'Request', data }, { type: 'Schedule', nodeId: 'n1' }, { type: 'Start', nodeId: 'n1', endpoint: 'ws://127.0.0.1:1/x', pid: 1 }], meta);
  const telemetry = await TelemetryLog.create(nats.nc);
  // Enough events for several gzip chunks and Object Store chunks.
  const events = Array.from({ length: 2_000 }, (_, i) => ({ type: 3, timestamp: 1_000 + i, sessionId, data: { text: `${i} ${'y'.repeat(300)}` } }));
  for (let i = 0; i < events.length; i += 500) await telemetry.publish(sessionId, 'recording', { type: 'recording', events: events.slice(i, i + 500) });
  await executeCommands(nats.store, sessionAggregate, sessionId, [{ type: 'End', reason: 'RELEASED' }], meta);
  await telemetry.publish(sessionId, 'logs', { type: 'end' });
  await telemetry.publish(sessionId, 'recording', { type: 'end' });

  const stored = await eventually(
    async () => (await nats.store.read(subjects.sessionEvents(sessionId))).map((e) => e.event).filter((e) => e.type === 'SessionArtifactStored'),
    (found) => found.length === 2,
    20_000,
    100,
  );
  const reader = await NatsArtifactStore.open(nats.nc, { bucket: 'archiver-it' });
  const bytes = await reader.get(sessionArtifactKey(projectId, sessionId, 'recording'));
  await reader.close();
  expect(bytes?.length).toBe(stored.find((e) => e.data.kind === 'recording')!.data.bytes);
  const lines = gunzipSync(bytes!).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
  expect(lines).toEqual(events);
});
