import { randomUUID } from 'node:crypto';
import { SessionEnded, SessionRequested, SessionScheduled, SessionStarted, subjects, type SessionSnapshot } from '@hangar/contracts';
import { repositories } from '@hangar/db';
import { useGatewayFixture } from '../testing/gateway-fixture.js';
import { apiClient } from '../testing/http-client.js';
import { startFakeScheduler } from '../testing/fake-scheduler.js';
import { bootGateway, seedProjectRows } from '../testing/infra.js';

// Reads that must see a write the moment it is acknowledged, however far the projector lags.
const f = useGatewayFixture();

describe('read-your-writes on GET /v1/sessions/:id', () => {
  const meta = { correlationId: 'it' };

  async function appendRequested(projectId: string, sessionId = randomUUID()) {
    const subject = subjects.sessionEvents(sessionId);
    const seqs = await f.infra.store.append(subject, [
      SessionRequested.create(
        {
          sessionId,
          projectId,
          keepAlive: false,
          timeoutSeconds: 300,
          region: 'us-east-1',
          expiresAt: new Date(Date.now() + 300_000).toISOString(),
          userMetadata: { team: 'it' },
          browserSettings: {},
        },
        meta,
      ),
    ]);
    return { sessionId, subject, version: seqs[0]! };
  }

  it('folds the stream when the projection has no row yet', async () => {
    const { sessionId } = await appendRequested(f.a.projectId);
    const res = await f.callA('GET', `/v1/sessions/${sessionId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: sessionId, status: 'PENDING', region: 'us-east-1', userMetadata: { team: 'it' }, proxyBytes: 0 });
    expect(res.body.connectUrl).toBeUndefined();
  });

  it('folds the stream when the row is behind it, and uses the row once it is current', async () => {
    const { sessionId, subject, version } = await appendRequested(f.a.projectId);
    const pending = (await f.callA('GET', `/v1/sessions/${sessionId}`)).body;
    const row: SessionSnapshot = { ...pending, clients: 0, version };
    delete (row as Partial<typeof pending>).proxyBytes;
    await f.infra.repos.sessions.upsert(row);

    const [, started] = await f.infra.store.append(subject, [
      SessionScheduled.create({ sessionId, nodeId: 'n1' }, meta),
      SessionStarted.create({ sessionId, nodeId: 'n1', endpoint: `ws://127.0.0.1:1/sessions/${sessionId}`, pid: 1 }, meta),
    ]);
    const running = await f.callA('GET', `/v1/sessions/${sessionId}`);
    expect(running.body).toMatchObject({ status: 'RUNNING', connectUrl: expect.any(String), signingKey: expect.any(String) });

    // The projector catches up: the row now answers (its proxyBytes show it is the row).
    await f.infra.repos.sessions.upsert({ ...row, status: 'RUNNING', version: started!, nodeId: 'n1', endpoint: 'ws://x' });
    await f.infra.db.updateTable('sessions').set({ proxy_bytes: 1234 }).where('id', '=', sessionId).execute();
    const fromRow = await f.callA('GET', `/v1/sessions/${sessionId}`);
    expect(fromRow.body).toMatchObject({ status: 'RUNNING', proxyBytes: 1234 });
  });

  it('sees an end that the projection has not applied yet', async () => {
    const { sessionId, subject } = await appendRequested(f.a.projectId);
    await f.infra.store.append(subject, [SessionEnded.create({ sessionId, status: 'TIMED_OUT', reason: 'CONNECT_TIMEOUT' }, meta)]);
    const res = await f.callA('GET', `/v1/sessions/${sessionId}`);
    expect(res.body).toMatchObject({ status: 'TIMED_OUT', endedAt: expect.any(String) });
  });

  it("trusts the row without asking the stream while the projector's checkpoint has reached the last session event", async () => {
    const { sessionId, subject, version } = await appendRequested(f.a.projectId);
    const pending = (await f.callA('GET', `/v1/sessions/${sessionId}`)).body;
    const [started] = await f.infra.store.append(subject, [SessionScheduled.create({ sessionId, nodeId: 'n1' }, meta)]);
    // A row one event behind the stream, marked so that an answer from it is recognisable (the
    // stream says team 'it').
    const row: SessionSnapshot = { ...pending, userMetadata: { team: 'row' }, clients: 0, version };
    delete (row as Partial<typeof pending>).proxyBytes;
    await f.infra.repos.sessions.upsert(row);
    try {
      // The checkpoint below the last session event: this session's stream is asked, and it is fresher.
      await f.infra.db.insertInto('projection_checkpoints').values({ name: 'read-model', position: started! - 1, updated_at: new Date() }).execute();
      expect((await f.callA('GET', `/v1/sessions/${sessionId}`)).body).toMatchObject({ id: sessionId, userMetadata: { team: 'it' } });

      // The checkpoint at the last session event vouches for every row: the row answers as it
      // is, and a session with no row is 404 without a fold.
      await f.infra.db.updateTable('projection_checkpoints').set({ position: started! }).where('name', '=', 'read-model').execute();
      expect((await f.callA('GET', `/v1/sessions/${sessionId}`)).body).toMatchObject({ id: sessionId, userMetadata: { team: 'row' } });
      expect((await f.callA('GET', `/v1/sessions/${randomUUID()}`)).status).toBe(404);
      // Read again, from the gateway's memory: still the row.
      expect((await f.callA('GET', `/v1/sessions/${sessionId}`)).body).toMatchObject({ status: 'PENDING', userMetadata: { team: 'row' } });

      // A new event for the session: the remembered row is stale the moment it is appended.
      await f.infra.store.append(subject, [SessionStarted.create({ sessionId, nodeId: 'n1', endpoint: `ws://127.0.0.1:1/sessions/${sessionId}`, pid: 1 }, meta)]);
      expect((await f.callA('GET', `/v1/sessions/${sessionId}`)).body).toMatchObject({ status: 'RUNNING', userMetadata: { team: 'it' } });
    } finally {
      await f.infra.db.deleteFrom('projection_checkpoints').where('name', '=', 'read-model').execute();
    }
  });

  it('answers a read right after a create from the create itself, until another session event is appended', async () => {
    const scheduler = await startFakeScheduler(f.infra.nats.url, f.scheduler);
    f.infra.deferApp(() => scheduler.close());
    const created = await f.callA('POST', '/v1/sessions', { body: { userMetadata: { team: 'create' } } });
    expect(created.status).toBe(201);
    const sessionId: string = created.body.id;
    const last = await f.infra.store.lastVersion(subjects.sessionEvents(sessionId));
    // A current row and checkpoint that would answer otherwise, marked to be recognisable.
    const row = (await f.callB('GET', `/v1/sessions/${sessionId}`)).status === 404 && {
      id: sessionId,
      projectId: f.a.projectId,
      status: 'RUNNING' as const,
      createdAt: created.body.createdAt,
      updatedAt: created.body.updatedAt,
      startedAt: created.body.startedAt,
      expiresAt: created.body.expiresAt,
      keepAlive: false,
      region: created.body.region,
      userMetadata: { team: 'row' },
      nodeId: 'node-it',
      endpoint: `ws://127.0.0.1:1/sessions/${sessionId}`,
      clients: 0,
      version: last,
    };
    expect(row).toBeTruthy();
    await f.infra.repos.sessions.upsert(row as SessionSnapshot);
    await f.infra.db.insertInto('projection_checkpoints').values({ name: 'read-model', position: last, updated_at: new Date() }).execute();
    try {
      expect((await f.callA('GET', `/v1/sessions/${sessionId}`)).body).toMatchObject({ status: 'RUNNING', userMetadata: { team: 'create' } });
      // Any session event after it: what the create said is no longer known to be current.
      await appendRequested(f.a.projectId);
      expect((await f.callA('GET', `/v1/sessions/${sessionId}`)).body).toMatchObject({ status: 'RUNNING', userMetadata: { team: 'row' } });
    } finally {
      await f.infra.db.deleteFrom('projection_checkpoints').where('name', '=', 'read-model').execute();
    }
  });

  it("another project's session found only in the stream is still 404", async () => {
    const { sessionId } = await appendRequested(f.b.projectId);
    expect((await f.callA('GET', `/v1/sessions/${sessionId}`)).status).toBe(404);
    expect((await f.callB('GET', `/v1/sessions/${sessionId}`)).status).toBe(200);
  });
});

describe('GET /v1/sessions waits for the projection to reach what the stream holds', () => {
  it('answers once the checkpoint covers the last session event, with the row that came with it', async () => {
    const gateway = await bootGateway(f.infra, { HANGAR_LIST_WAIT_MS: '5000' });
    const d = await seedProjectRows(f.infra.repos);
    const callD = apiClient(gateway.url, d.apiKey);
    const sessionId = randomUUID();
    const [seq] = await f.infra.store.append(subjects.sessionEvents(sessionId), [
      SessionRequested.create(
        {
          sessionId,
          projectId: d.projectId,
          keepAlive: false,
          timeoutSeconds: 300,
          region: 'us-east-1',
          expiresAt: new Date(Date.now() + 300_000).toISOString(),
          browserSettings: {},
        },
        { correlationId: 'it' },
      ),
    ]);
    await f.infra.db.insertInto('projection_checkpoints').values({ name: 'read-model', position: seq! - 1, updated_at: new Date() }).execute();
    try {
      // A projector that takes 300 ms: the row and the checkpoint land together.
      const projected = (async () => {
        await new Promise((r) => setTimeout(r, 300));
        const now = new Date().toISOString();
        await f.infra.db.transaction().execute(async (trx) => {
          await repositories(trx).sessions.upsert({
            id: sessionId,
            projectId: d.projectId,
            status: 'PENDING',
            createdAt: now,
            updatedAt: now,
            startedAt: now,
            expiresAt: new Date(Date.now() + 300_000).toISOString(),
            keepAlive: false,
            region: 'us-east-1',
            clients: 0,
            version: seq!,
          });
          await trx.updateTable('projection_checkpoints').set({ position: seq! }).where('name', '=', 'read-model').execute();
        });
      })();
      const t0 = Date.now();
      const list = await callD('GET', '/v1/sessions');
      await projected;
      expect(list.body.map((s: { id: string }) => s.id)).toEqual([sessionId]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    } finally {
      await f.infra.db.deleteFrom('projection_checkpoints').where('name', '=', 'read-model').execute();
    }
  });
});
