import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

// bigint columns (stream sequences) come back as strings; they stay below 2^53 for us, but the
// repositories convert explicitly rather than relying on a global type parser.
export function createDb(
  connectionString: string,
  options: {
    max?: number;
    connectTimeoutMs?: number;
    /** Server settings for every connection of the pool (e.g. synchronous_commit: 'off'). */
    settings?: Record<string, string>;
  } = {},
): Kysely<Database> {
  const settings = Object.entries(options.settings ?? {});
  for (const [name, value] of settings) {
    if (!/^[a-z_.]+$/.test(name) || !/^[A-Za-z0-9_.-]+$/.test(value)) throw new Error(`invalid Postgres setting ${name}=${value}`);
  }
  const pool = new pg.Pool({
    connectionString,
    ...(settings.length ? { options: settings.map(([name, value]) => `-c ${name}=${value}`).join(' ') } : {}),
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client's error (Postgres restarted) must not crash the process; the next query
  // gets a fresh connection.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Resolves when Postgres answers a trivial query through `db`'s pool, rejects otherwise (readiness probes). */
export async function pingDb(db: Kysely<Database>): Promise<void> {
  await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
}

/** Creates the database named in the URL when it does not exist (first start of a stack). */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) return;
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } catch (err) {
    // Two processes racing to create it: the loser sees duplicate_database.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}
