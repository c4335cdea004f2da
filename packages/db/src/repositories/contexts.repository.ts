import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface ContextRow {
  id: string;
  projectId: string;
  name: string | null;
  publicKey: string;
  /** Saves so far; 0 while the context holds an empty profile. */
  version: number;
  profileKey: string | null;
  profileBytes: number | null;
  savedBySessionId: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** `contexts`: a row per ContextCreated, moved on by ContextSaved, marked by ContextDeleted. Written by the projector only. */
export class ContextsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Pick<ContextRow, 'id' | 'projectId' | 'name' | 'publicKey' | 'createdAt'>): Promise<void> {
    await this.db
      .insertInto('contexts')
      .values({ id: row.id, project_id: row.projectId, name: row.name, public_key: row.publicKey, created_at: row.createdAt, updated_at: row.createdAt })
      // A replayed event writes the same row again.
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Only forward: a replayed older save leaves a newer one in place. */
  async saved(id: string, save: { version: number; key: string; bytes: number; sessionId: string; at: string }): Promise<void> {
    await this.db
      .updateTable('contexts')
      .set({ version: save.version, profile_key: save.key, profile_bytes: save.bytes, saved_by_session_id: save.sessionId, updated_at: save.at })
      .where('id', '=', id)
      .where('version', '<', save.version)
      .execute();
  }

  async markDeleted(id: string, at: string): Promise<void> {
    await this.db.updateTable('contexts').set({ deleted_at: at, updated_at: at }).where('id', '=', id).where('deleted_at', 'is', null).execute();
  }

  /** The project's context, deleted or not; another project's is undefined. */
  async find(projectId: string, id: string): Promise<ContextRow | undefined> {
    const row = await this.db.selectFrom('contexts').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      projectId: row.project_id,
      name: row.name,
      publicKey: row.public_key,
      version: row.version,
      profileKey: row.profile_key,
      profileBytes: row.profile_bytes === null ? null : Number(row.profile_bytes),
      savedBySessionId: row.saved_by_session_id,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      deletedAt: row.deleted_at === null ? null : iso(row.deleted_at),
    };
  }
}
