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
      expect(await projector.handle([{ event, seq, subject }])).toEqual({ applied: 1, skipped: 0 });
    }
    // The last three come again (a restart from an older checkpoint): nothing changes.
    const again = [2, 3, 4].map((i) => ({ ...history[i]!, seq: seqs[i]! }));
    expect(await projector.handle(again)).toEqual({ applied: 0, skipped: 3 });
    const repos = repositories(pg.db);
    const row = await repos.sessions.findById(projectId, sessionId);
    expect(row).toMatchObject({ status: 'RUNNING', region: 'eu-central-1', keepAlive: true, nodeId: 'n1', version: seqs[4] });
    expect(await repos.checkpoints.position('once')).toBe(seqs[4]);
    const stored = await pg.db.selectFrom('events').select('seq').where('subject', '=', subjects.sessionEvents(sessionId)).execute();
    expect(stored).toHaveLength(3);

    expect(await projector.handle([{ ...history[5]!, seq: seq + 1 }])).toEqual({ applied: 1, skipped: 0 });
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
    for (const { event, subject } of history) await live.handle([{ event, seq: ++seq, subject }]);
    const before = await repositories(pg.db).sessions.findById(projectId, sessionId);

    await pg.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
    await pg.db.deleteFrom('events').where('subject', '=', subjects.sessionEvents(sessionId)).execute();
    const rebuilt = new ProjectorService(pg.db, 'rebuild', logger, new Registry());
    seq = 5000;
    for (const { event, subject } of history) await rebuilt.handle([{ event, seq: ++seq, subject }]);
    expect(await repositories(pg.db).sessions.findById(projectId, sessionId)).toEqual(before);
  });

  it('applies batches (two sessions interleaved, redeliveries) like the same events one by one', async () => {
    const projectId = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    const ha = sessionHistory(a, projectId);
    const hb = sessionHistory(b, projectId).slice(2);
    // Project events first, then the two sessions' events interleaved, as the stream holds them.
    const log = [...ha.slice(0, 2), ...ha.slice(2).flatMap((e, i) => (hb[i] ? [e, hb[i]!] : [e]))].map((e, i) => ({ ...e, seq: 9000 + i }));
    // A new service for each event holds nothing in memory: each takes the careful path, the
    // sessions folded from their history read back.
    for (const e of log) await new ProjectorService(pg.db, 'one-by-one', logger, new Registry()).handle([e]);
    const repos = repositories(pg.db);
    const expected = [await repos.sessions.findById(projectId, a), await repos.sessions.findById(projectId, b)];
    expect(expected[0]).toMatchObject({ status: 'COMPLETED' });
    expect(expected[1]).toMatchObject({ status: 'COMPLETED' });
    await pg.db.deleteFrom('sessions').where('project_id', '=', projectId).execute();
    await pg.db.deleteFrom('events').where('seq', '>=', '9000').where('seq', '<', String(9000 + log.length)).execute();
    await pg.db.deleteFrom('api_keys').where('project_id', '=', projectId).execute();
    await pg.db.deleteFrom('projects').where('id', '=', projectId).execute();

    const batched = new ProjectorService(pg.db, 'batched', logger, new Registry());
    // Project events and both sessions' first events; then the rest, both sessions in one batch
    // (folded from memory); then all the session events again (a restart from an older checkpoint).
    expect(await batched.handle(log.slice(0, 4))).toEqual({ applied: 4, skipped: 0 });
    expect(await batched.handle(log.slice(4))).toEqual({ applied: log.length - 4, skipped: 0 });
    expect(await batched.handle(log.slice(2))).toEqual({ applied: 0, skipped: log.length - 2 });
    expect([await repos.sessions.findById(projectId, a), await repos.sessions.findById(projectId, b)]).toEqual(expected);
    expect(await repos.checkpoints.position('batched')).toBe(log.at(-1)!.seq);
    expect(await pg.db.selectFrom('events').select('seq').where('seq', '>=', '9000').where('seq', '<', String(9000 + log.length)).execute()).toHaveLength(log.length);
  });

  it('two replicas with one name taking turns each fold in the events the other applied', async () => {
    const projectId = randomUUID();
    const sessionId = randomUUID();
    const log = sessionHistory(sessionId, projectId).map((e, i) => ({ ...e, seq: 12_000 + i }));
    const startedAt = new Date(Date.now() + 60_000);
    log[4]!.event = SessionStarted.create({ sessionId, nodeId: 'n1', endpoint: 'ws://127.0.0.1:1/sessions/x', pid: 1 }, meta, { at: startedAt });
    const a = new ProjectorService(pg.db, 'turns', logger, new Registry());
    const b = new ProjectorService(pg.db, 'turns', logger, new Registry());
    // a holds the session (pending) in memory; b moves it to RUNNING; a gets the end.
    expect(await a.handle(log.slice(0, 4))).toEqual({ applied: 4, skipped: 0 });
    expect(await b.handle(log.slice(0, 5))).toEqual({ applied: 1, skipped: 4 });
    expect(await a.handle(log.slice(5))).toEqual({ applied: 1, skipped: 0 });
    const row = await repositories(pg.db).sessions.findById(projectId, sessionId);
    // Ended from the running state b wrote (started when it started): a did not fold the end
    // onto the pending state it held, which would have ended a session that never started.
    expect(row).toMatchObject({ status: 'COMPLETED', version: log.at(-1)!.seq });
    expect(new Date(row!.startedAt).getTime()).toBe(startedAt.getTime());
  });
});
