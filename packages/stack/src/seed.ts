import { randomUUID } from 'node:crypto';
import { ApiKeyIssued, ProjectCreated, subjects } from '@hangar/contracts';
import { repositories, type Database, type Kysely } from '@hangar/db';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '@hangar/domain';
import type { EventStore } from '@hangar/messaging';

export interface ProjectSeed {
  projectId?: string;
  name?: string;
  apiKey?: string;
  concurrency: number;
  defaultTimeoutSeconds?: number;
  createRatePerMinute?: number | undefined;
}

/**
 * Creates a project and an API key through the event log (the projector writes the rows), then
 * waits until the key is usable. Idempotent: a project or key that exists is left alone.
 */
export async function seedProject(store: EventStore, db: Kysely<Database>, seed: ProjectSeed, timeoutMs = 20_000) {
  const repos = repositories(db);
  const projectId = seed.projectId ?? randomUUID();
  const apiKey = seed.apiKey ?? generateApiKey();
  const keyHash = hashApiKey(apiKey);
  const meta = { correlationId: `seed-${projectId}` };
  const subject = subjects.projectEvents(projectId);
  const events = [];
  if (!(await repos.projects.findById(projectId))) {
    events.push(
      ProjectCreated.create(
        {
          projectId,
          name: seed.name ?? 'Default project',
          ownerId: 'local',
          concurrency: seed.concurrency,
          defaultTimeoutSeconds: seed.defaultTimeoutSeconds ?? 300,
          ...(seed.createRatePerMinute ? { createRatePerMinute: seed.createRatePerMinute } : {}),
        },
        meta,
        // Deterministic id: a second seeder racing this one is deduplicated by JetStream.
        { id: `project-created-${projectId}` },
      ),
    );
  }
  if ((await repos.apiKeys.projectIdForHash(keyHash)) === undefined) {
    events.push(ApiKeyIssued.create({ projectId, keyId: randomUUID(), keyHash, prefix: apiKeyPrefix(apiKey) }, meta, { id: `api-key-${keyHash.slice(0, 32)}` }));
  }
  if (events.length > 0) await store.append(subject, events);
  const deadline = Date.now() + timeoutMs;
  while ((await repos.apiKeys.projectIdForHash(keyHash)) !== projectId) {
    if (Date.now() > deadline) throw new Error(`the projector did not record project ${projectId} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { projectId, apiKey };
}
