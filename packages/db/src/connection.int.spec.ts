import { sql } from 'kysely';
import { startTestPostgres, type TestPostgres } from '@hangar/testing';
import { createDb } from './connection.js';

describe('createDb on a real Postgres', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('applies its settings to every connection of the pool', async () => {
    const db = createDb(pg.url, { max: 2, settings: { synchronous_commit: 'off', application_name: 'hangar-test' } });
    try {
      // Two connections at once, so both are opened.
      const rows = await Promise.all(
        [0, 1].map(() =>
          db.connection().execute(async (conn) => {
            const { rows } = await sql<{ sc: string; app: string }>`select current_setting('synchronous_commit') as sc, current_setting('application_name') as app, pg_sleep(0.05)`.execute(conn);
            return rows[0];
          }),
        ),
      );
      expect(rows).toEqual([expect.objectContaining({ sc: 'off', app: 'hangar-test' }), expect.objectContaining({ sc: 'off', app: 'hangar-test' })]);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a setting that could smuggle in other options', () => {
    expect(() => createDb(pg.url, { settings: { synchronous_commit: 'off -c fsync=off' } })).toThrow('invalid Postgres setting synchronous_commit');
  });
});
