import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface ProjectRow {
  id: string;
  name: string;
  ownerId: string;
  concurrency: number;
  defaultTimeout: number;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = ['id', 'name', 'owner_id', 'concurrency', 'default_timeout_seconds', 'created_at', 'updated_at'] as const;

export class ProjectsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(p: ProjectRow): Promise<void> {
    await this.db
      .insertInto('projects')
      .values({
        id: p.id,
        name: p.name,
        owner_id: p.ownerId,
        concurrency: p.concurrency,
        default_timeout_seconds: p.defaultTimeout,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async findById(id: string): Promise<ProjectRow | undefined> {
    const row = await this.db.selectFrom('projects').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toProject(row);
  }
}

function toProject(row: { id: string; name: string; owner_id: string; concurrency: number; default_timeout_seconds: number; created_at: Date; updated_at: Date }): ProjectRow {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    concurrency: row.concurrency,
    defaultTimeout: row.default_timeout_seconds,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
