import { randomUUID } from 'node:crypto';
import { ContextCreated, ContextDeleted, ContextSaved, subjects } from '@hangar/contracts';
import { repositories } from '@hangar/db';
import { contextProfileKey } from '@hangar/domain';
import { createLogger } from '@hangar/runtime';
import { startTestPostgres, type TestPostgres } from '@hangar/testing';
import { Registry } from 'prom-client';
import { ProjectorService } from '../projector.service.js';

const meta = { correlationId: 'test' };

describe('the contexts projection on a real Postgres', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('a row per ContextCreated, in its project only; saves move it forward, never back; ContextDeleted marks it', async () => {
    const projector = new ProjectorService(pg.db, 'contexts', createLogger('test', 'silent'), new Registry());
    const projectId = randomUUID().replaceAll('-', '');
    const contextId = randomUUID();
    const subject = subjects.contextEvents(contextId);
    const created = ContextCreated.create({ contextId, projectId, name: 'Shop', publicKey: 'PEM' }, meta);
    expect(await projector.handle([{ event: created, seq: 1, subject }])).toEqual({ applied: 1, skipped: 0 });
    const repos = repositories(pg.db);
    expect(await repos.contexts.find(projectId, contextId)).toEqual({
      id: contextId,
      projectId,
      name: 'Shop',
      publicKey: 'PEM',
      version: 0,
      profileKey: null,
      profileBytes: null,
      savedBySessionId: null,
      createdAt: created.occurredAt,
      updatedAt: created.occurredAt,
      deletedAt: null,
    });
    expect(await repos.contexts.find('another', contextId)).toBeUndefined();
    const save = (version: number, sessionId: string) =>
      ContextSaved.create({ contextId, projectId, sessionId, version, key: contextProfileKey(projectId, contextId, sessionId), bytes: version * 100, sha256: 'c'.repeat(64), files: 3 }, meta);
    const [v1, v2] = [save(1, 's1'), save(2, 's2')];
    await projector.handle([{ event: v1, seq: 2, subject }, { event: v2, seq: 3, subject }]);
    expect(await repos.contexts.find(projectId, contextId)).toMatchObject({ version: 2, profileBytes: 200, savedBySessionId: 's2', updatedAt: v2.occurredAt });
    // A redelivered older save changes nothing.
    await projector.handle([{ event: v1, seq: 2, subject }]);
    expect(await repos.contexts.find(projectId, contextId)).toMatchObject({ version: 2 });
    const deleted = ContextDeleted.create({ contextId, projectId }, meta);
    await projector.handle([{ event: deleted, seq: 4, subject }]);
    expect(await repos.contexts.find(projectId, contextId)).toMatchObject({ deletedAt: deleted.occurredAt, version: 2 });
  });
});
