// One-shot migration entrypoint (docker compose's `migrate` service, Kubernetes Jobs):
// `node packages/db/dist/migrate-cli.js` with DATABASE_URL set.
import { z } from 'zod';
import { databaseEnv, parseEnv } from '@hangar/runtime';
import { createDb, ensureDatabase } from './connection.js';
import { migrateToLatest } from './migrate.js';

const env = parseEnv(z.object(databaseEnv));
await ensureDatabase(env.DATABASE_URL);
const db = createDb(env.DATABASE_URL, { max: 1 });
try {
  const applied = await migrateToLatest(db);
  console.log(JSON.stringify({ msg: 'migrations up to date', applied }));
} finally {
  await db.destroy();
}
