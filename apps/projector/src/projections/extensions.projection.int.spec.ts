import { randomUUID } from 'node:crypto';
import { ExtensionDeleted, ExtensionUploaded, subjects } from '@hangar/contracts';
import { repositories } from '@hangar/db';
import { extensionArtifactKey } from '@hangar/domain';
import { createLogger } from '@hangar/runtime';
import { startTestPostgres, type TestPostgres } from '@hangar/testing';
import { Registry } from 'prom-client';
import { ProjectorService } from '../projector.service.js';

const meta = { correlationId: 'test' };

describe('the extensions projection on a real Postgres', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('one row per ExtensionUploaded, in its project only; ExtensionDeleted marks it; a redelivery changes nothing', async () => {
    const projector = new ProjectorService(pg.db, 'extensions', createLogger('test', 'silent'), new Registry());
    const projectId = randomUUID().replaceAll('-', '');
    const extensionId = randomUUID();
    const subject = subjects.extensionEvents(extensionId);
    const key = extensionArtifactKey(projectId, extensionId);
    const uploaded = ExtensionUploaded.create({ extensionId, projectId, fileName: 'e.zip', root: 'top/', key, bytes: 10, sha256: 'b'.repeat(64) }, meta);
    expect(await projector.handle([{ event: uploaded, seq: 1, subject }])).toEqual({ applied: 1, skipped: 0 });
    const repos = repositories(pg.db);
    expect(await repos.extensions.find(projectId, extensionId)).toEqual({
      id: extensionId,
      projectId,
      fileName: 'e.zip',
      artifactKey: key,
      root: 'top/',
      bytes: 10,
      sha256: 'b'.repeat(64),
      createdAt: uploaded.occurredAt,
      updatedAt: uploaded.occurredAt,
      deletedAt: null,
    });
    expect(await repos.extensions.find('another', extensionId)).toBeUndefined();
    const deleted = ExtensionDeleted.create({ extensionId, projectId }, meta);
    expect(await projector.handle([{ event: uploaded, seq: 1, subject }, { event: deleted, seq: 2, subject }])).toEqual({ applied: 1, skipped: 1 });
    expect(await repos.extensions.find(projectId, extensionId)).toMatchObject({ deletedAt: deleted.occurredAt });
  });
});
