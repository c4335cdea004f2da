import { createDb, type Database, type Kysely } from '@hangar/db';
import { startService, type LogSink, type Stack } from '@hangar/stack';
import { own } from '@hangar/testing';

export interface Rebuild {
  db: Kysely<Database>;
  stop(): Promise<void>;
}

/**
 * A second projector, the built one as a process, projecting the whole event stream into a
 * database of its own on the stack's Postgres: the read model rebuilt from nothing but the log.
 */
export async function startRebuild(stack: Stack, env: Record<string, string>, log: LogSink): Promise<Rebuild> {
  const url = new URL(stack.databaseUrl);
  url.pathname = '/hangar_rebuild';
  const service = await own(
    'rebuild projector',
    Promise.resolve(startService('projector', 'projector-rebuild', { NATS_URL: stack.natsUrl, DATABASE_URL: url.toString(), LOG_LEVEL: 'warn', HANGAR_ARTIFACT_DIR: stack.artifactDir, ...env }, log)),
  );
  const db = createDb(url.toString(), { max: 2 });
  return {
    db,
    async stop() {
      await service.stop();
      await db.destroy();
    },
  };
}

/** The projection's checkpoint (0 before the projector has made its tables). */
export async function checkpoint(db: Kysely<Database>, name = 'read-model'): Promise<number> {
  const row = await db.selectFrom('projection_checkpoints').select('position').where('name', '=', name).executeTakeFirst();
  return Number(row?.position ?? 0);
}

/** Every row a projection derives from the log; the times it was written (`recorded_at`, the checkpoint's `updated_at`) are not part of it. */
export async function readModel(db: Kysely<Database>) {
  return {
    projects: await db.selectFrom('projects').selectAll().orderBy('id').execute(),
    apiKeys: await db.selectFrom('api_keys').selectAll().orderBy('id').execute(),
    nodes: await db.selectFrom('nodes').selectAll().orderBy('id').execute(),
    sessions: await db.selectFrom('sessions').selectAll().orderBy('id').execute(),
    events: await db.selectFrom('events').select(['seq', 'id', 'type', 'subject', 'occurred_at', 'data', 'metadata']).orderBy('seq').execute(),
    checkpoint: await checkpoint(db),
  };
}
