import { randomUUID } from 'node:crypto';
import { SessionRequested, SessionScheduled, subjects } from '@hangar/contracts';
import { startTestPostgres, type TestPostgres } from '@hangar/testing';
import { createDb, pingDb } from '../connection.js';
import { inTransaction, repositories } from '../repositories.js';

const meta = { correlationId: 'test' };

describe('events, transactions and pings on a real Postgres', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  function requested(sessionId: string, at: Date) {
    return SessionRequested.create(
      { sessionId, projectId: randomUUID(), keepAlive: false, timeoutSeconds: 300, region: 'us-west-2', expiresAt: new Date(at.getTime() + 300_000).toISOString(), browserSettings: {} },
      meta,
      { at },
    );
  }

  it("gives a subject's history back in stream order, as the events were stored", async () => {
    const sessionId = randomUUID();
    const subject = subjects.sessionEvents(sessionId);
    const first = requested(sessionId, new Date());
    const second = SessionScheduled.create({ sessionId, nodeId: 'n1' }, meta);
    // Stored out of order, beside another subject's event.
    await repositories(pg.db).events.appendMany([
      { seq: 20_002, subject, event: second },
      { seq: 20_001, subject, event: first },
      { seq: 20_003, subject: subjects.sessionEvents(randomUUID()), event: requested(randomUUID(), new Date()) },
    ]);
    const history = await repositories(pg.db).events.historyOf(subject);
    expect(history).toEqual([
      { seq: 20_001, id: first.id, type: 'SessionRequested', occurredAt: first.occurredAt, data: first.data, metadata: first.metadata },
      { seq: 20_002, id: second.id, type: 'SessionScheduled', occurredAt: second.occurredAt, data: second.data, metadata: second.metadata },
    ]);
  });

  it('measures from occurrence to recording, for the events that occurred in a window', async () => {
    const longAgo = new Date(Date.UTC(2001, 0, 1));
    await repositories(pg.db).events.appendMany([{ seq: 21_001, subject: subjects.sessionEvents(randomUUID()), event: requested(randomUUID(), longAgo) }]);
    const lags = await repositories(pg.db).events.recordingLagsMs(longAgo.getTime(), longAgo.getTime());
    expect(lags).toHaveLength(1);
    expect(lags[0]).toBeGreaterThan(Date.now() - longAgo.getTime() - 60_000);
  });

  it('commits what a transaction wrote when its work resolves, and nothing when it throws', async () => {
    const [kept, dropped] = [randomUUID(), randomUUID()];
    const write = (sessionId: string, seq: number) => (repos: ReturnType<typeof repositories>) =>
      repos.events.appendMany([{ seq, subject: subjects.sessionEvents(sessionId), event: requested(sessionId, new Date()) }]);
    await inTransaction(pg.db, write(kept, 22_001));
    await expect(
      inTransaction(pg.db, async (repos) => {
        await write(dropped, 22_002)(repos);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await repositories(pg.db).events.historyOf(subjects.sessionEvents(kept))).toHaveLength(1);
    expect(await repositories(pg.db).events.historyOf(subjects.sessionEvents(dropped))).toEqual([]);
  });

  it('pings Postgres through the pool, and rejects when nothing answers', async () => {
    await expect(pingDb(pg.db)).resolves.toBeUndefined();
    const nowhere = createDb('postgres://hangar@127.0.0.1:1/none', { connectTimeoutMs: 500 });
    try {
      await expect(pingDb(nowhere)).rejects.toThrow();
    } finally {
      await nowhere.destroy();
    }
  });
});
