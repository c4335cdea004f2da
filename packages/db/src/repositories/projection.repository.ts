import { sql, type Kysely } from 'kysely';
import type { DomainEvent, SessionSnapshot } from '@hangar/contracts';
import type { Database } from '../schema.js';
import { sessionRow } from './sessions.repository.js';

/** Columns a newer version of a session row replaces (id, project and creation never change). */
const CHANGING = ['status', 'updated_at', 'started_at', 'ended_at', 'expires_at', 'keep_alive', 'region', 'user_metadata', 'context_id', 'node_id', 'endpoint', 'end_reason', 'clients', 'version'] as const;
const WRITTEN = ['id', 'project_id', 'created_at', ...CHANGING] as const;

/** The projector's writes that span tables. */
export class ProjectionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Moves checkpoint `name` from `expected` to `position`, stores the events and writes the
   * session rows (each only over an older version), in one statement: one round trip, and atomic
   * without a transaction. When the checkpoint is not at `expected` (another writer moved it)
   * nothing is written and the answer is false. A writer holding the checkpoint row's lock is
   * waited for, and the checkpoint compared again after it.
   */
  async commitSessionBatch(
    name: string,
    expected: number,
    position: number,
    events: readonly { seq: number; subject: string; event: DomainEvent }[],
    snapshots: readonly SessionSnapshot[],
  ): Promise<boolean> {
    const eventRows = events.map(({ seq, subject, event }) => ({
      seq,
      id: event.id,
      type: event.type,
      subject,
      occurred_at: event.occurredAt,
      data: event.data,
      metadata: event.metadata,
    }));
    const written = sql.join(WRITTEN.map((c) => sql.ref(c)));
    const { rows } = await sql<{ applied: number }>`
      with checkpoint as (
        update projection_checkpoints set position = ${position}, updated_at = now()
        where name = ${name} and position = ${expected}
        returning 1
      ), stored as (
        insert into events (seq, id, type, subject, occurred_at, data, metadata)
        select seq, id, type, subject, occurred_at, data, metadata
        from jsonb_to_recordset(${JSON.stringify(eventRows)}::jsonb)
          as e(seq bigint, id text, type text, subject text, occurred_at timestamptz, data jsonb, metadata jsonb)
        where exists (select from checkpoint)
        on conflict do nothing
      ), projected as (
        insert into sessions (${written})
        select ${written} from jsonb_populate_recordset(null::sessions, ${JSON.stringify(snapshots.map(sessionRow))}::jsonb)
        where exists (select from checkpoint)
        on conflict (id) do update set ${sql.join(CHANGING.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))}
        where sessions.version < excluded.version
      )
      select count(*)::int as applied from checkpoint`.execute(this.db);
    return rows[0]?.applied === 1;
  }
}
