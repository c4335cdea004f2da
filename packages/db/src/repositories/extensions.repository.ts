import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface ExtensionRow {
  id: string;
  projectId: string;
  fileName: string;
  artifactKey: string;
  /** Where manifest.json is inside the zip: '' or 'top/'. */
  root: string;
  bytes: number;
  sha256: string;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** `extensions`: one row per ExtensionUploaded, marked deleted by ExtensionDeleted. Written by the projector only. */
export class ExtensionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Omit<ExtensionRow, 'deletedAt'>): Promise<void> {
    await this.db
      .insertInto('extensions')
      .values({
        id: row.id,
        project_id: row.projectId,
        file_name: row.fileName,
        artifact_key: row.artifactKey,
        root: row.root,
        bytes: row.bytes,
        sha256: row.sha256,
        created_at: row.createdAt,
        updated_at: row.updatedAt,
      })
      // A replayed event writes the same row again.
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async markDeleted(id: string, at: string): Promise<void> {
    await this.db.updateTable('extensions').set({ deleted_at: at, updated_at: at }).where('id', '=', id).where('deleted_at', 'is', null).execute();
  }

  /** The project's extension, deleted or not; another project's is undefined. */
  async find(projectId: string, id: string): Promise<ExtensionRow | undefined> {
    const row = await this.db.selectFrom('extensions').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      projectId: row.project_id,
      fileName: row.file_name,
      artifactKey: row.artifact_key,
      root: row.root,
      bytes: Number(row.bytes),
      sha256: row.sha256,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      deletedAt: row.deleted_at === null ? null : iso(row.deleted_at),
    };
  }
}
