import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_extensions.js';
import * as m0003 from './migrations/0003_contexts.js';

/** Migrations are compiled in, not read from disk: the same list in every image and test. */
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_extensions': m0002,
  '0003_contexts': m0003,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// Kysely<any>: a migration runs against whatever schema the database has, not today's Schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
