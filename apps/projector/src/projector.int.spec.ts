import { randomUUID } from 'node:crypto';
import { ApiKeyIssued, ProjectCreated, SessionEnded, SessionRequested, SessionScheduled, SessionStarted, subjects, type DomainEvent } from '@hangar/contracts';
import { repositories } from '@hangar/db';
import { createLogger } from '@hangar/runtime';
import { startTestPostgres, type TestPostgres } from '@hangar/testing';
import { Registry } from 'prom-client';
import { ProjectorService } from './projector.service.js';

const meta = { correlationId: 'test' };
const logger = createLogger('test', 'silent');

describe('projector on a real Postgres', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  function sessionHistory(sessionId: string, projectId: string): { event: DomainEvent; subject: string }[] {
    const subject = subjects.sessionEvents(sessionId);
    return [
      { subject: subjects.projectEvents(projectId), event: ProjectCreated.create({ projectId, name: 'p', ownerId: 'o', concurrency: 3, defaultTimeoutSeconds: 300 }, meta) },
      { subject: subjects.projectEvents(projectId), event: ApiKeyIssued.create({ projectId, keyId: randomUUID(), keyHash: 'a'.repeat(64).replace(/^a{8}/, randomUUID().replaceAll('-', '').slice(0, 8)), prefix: 'hgr_' }, meta) },
      {
        subject,
        event: SessionRequested.create(
          { sessionId, projectId, keepAlive: true, timeoutSeconds: 300, region: 'eu-central-1', expiresAt: new Date(Date.now() + 300_000).toISOString(), userMetadata: { run: { id: 'r1' } }, browserSettings: {} },
          meta,
        ),
      },
      { subject, event: SessionScheduled.create({ sessionId, nodeId: 'n1' }, meta) },
      { subject, event: SessionStarted.create({ sessionId, nodeId: 'n1', endpoint: 'ws://127.0.0.1:1/sessions/x', pid: 1 }, meta) },
      { subject, event: SessionEnded.create({ sessionId, status: 'COMPLETED', reason: 'RELEASED' }, meta) },
    ];
  }

  it('applies a redelivered event once and keeps the checkpoint with the rows', async () => {
    const projector = new ProjectorService(pg.db, 'once', logger, new Registry());
    const sessionId = randomUUID();
    const projectId = randomUUID();
    const history = sessionHistory(sessionId, projectId);
    let seq = 1000;
    const seqs: number[] = [];
    for (const { event, subject } of history.slice(0, 5)) {
      seqs.push(++seq);
      expect(await projector.handle(event, seq, subject)).toBe('applied');
    }
    // JetStream redelivers the last three (ack lost): nothing changes.
    for (const i of [2, 3, 4]) expect(await projector.handle(history[i]!.event, seqs[i]!, history[i]!.subject)).toBe('skipped');
    const repos = repositories(pg.db);
    const row = await repos.sessions.findById(projectId, sessionId);
    expect(row).toMatchObject({ status: 'RUNNING', region: 'eu-central-1', keepAlive: true, nodeId: 'n1', version: seqs[4] });
    expect(await repos.checkpoints.position('once')).toBe(seqs[4]);
    const stored = await pg.db.selectFrom('events').select('seq').where('subject', '=', subjects.sessionEvents(sessionId)).execute();
    expect(stored).toHaveLength(3);

    expect(await projector.handle(history[5]!.event, ++seq, history[5]!.subject)).toBe('applied');
    expect(await repos.sessions.findById(projectId, sessionId)).toMatchObject({ status: 'COMPLETED', endReason: 'RELEASED' });
    expect(await repos.sessions.list(projectId, { metadata: { path: ['run', 'id'], value: 'r1' } })).toHaveLength(1);
    expect(await repos.sessions.list(projectId, { metadata: { path: ['run', 'id'], value: 'other' } })).toHaveLength(0);
    expect(await repos.sessions.list(projectId, { status: 'RUNNING' })).toHaveLength(0);
  });

  it('rebuilds the same rows when the read model is dropped and the log replayed', async () => {
    const sessionId = randomUUID();
    const projectId = randomUUID();
    const live = new ProjectorService(pg.db, 'live', logger, new Registry());
    const history = sessionHistory(sessionId, projectId);
    let seq = 5000;
    for (const { event, subject } of history) await live.handle(event, ++seq, subject);
    const before = await repositories(pg.db).sessions.findById(projectId, sessionId);

    await pg.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
    await pg.db.deleteFrom('events').where('subject', '=', subjects.sessionEvents(sessionId)).execute();
    const rebuilt = new ProjectorService(pg.db, 'rebuild', logger, new Registry());
    seq = 5000;
    for (const { event, subject } of history) await rebuilt.handle(event, ++seq, subject);
    expect(await repositories(pg.db).sessions.findById(projectId, sessionId)).toEqual(before);
  });
});
