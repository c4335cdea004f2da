import { sql, type Kysely } from 'kysely';
import type { SessionSnapshot, SessionStatus } from '@hangar/contracts';
import type { Database } from '../schema.js';

const COLUMNS = [
  'id',
  'project_id',
  'status',
  'created_at',
  'updated_at',
  'started_at',
  'ended_at',
  'expires_at',
  'keep_alive',
  'region',
  'user_metadata',
  'context_id',
  'node_id',
  'endpoint',
  'end_reason',
  'clients',
  'proxy_bytes',
  'version',
] as const;

export interface SessionRow extends SessionSnapshot {
  proxyBytes: number;
}

export interface SessionListFilter {
  status?: SessionStatus | undefined;
  /** `q=user_metadata['a']['b']:'v'` → path ['a','b'], value 'v' (string equality). */
  metadata?: { path: string[]; value: string } | undefined;
  limit?: number;
}

export class SessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes the row only when `snapshot.version` is newer than what is stored. */
  async upsert(snapshot: SessionSnapshot): Promise<void> {
    const fields = sessionRow(snapshot);
    const row = { ...fields, user_metadata: fields.user_metadata === null ? null : JSON.stringify(fields.user_metadata) };
    const { id: _id, project_id: _p, created_at: _c, ...changes } = row;
    await this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(changes).where('sessions.version', '<', String(snapshot.version) as never))
      .execute();
  }

  async findById(projectId: string, id: string): Promise<SessionRow | undefined> {
    const row = await this.db.selectFrom('sessions').select(COLUMNS).where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
    return row && toSnapshot(row);
  }

  /**
   * One session's row together with a projection's checkpoint, read in one statement and so from
   * one snapshot: when the checkpoint has reached a stream position, the row (or its absence)
   * reflects every event up to it.
   */
  async findByIdAt(projectId: string, id: string, projection: string): Promise<{ row: SessionRow | undefined; checkpoint: number }> {
    const { rows } = await sql<{ [K in keyof Selected]: unknown } & { checkpoint: string | null }>`
      select c.checkpoint, ${sql.join(COLUMNS.map((col) => sql.ref(`s.${col}`)))}
      from (select (select position from projection_checkpoints where name = ${projection}) as checkpoint) c
      left join sessions s on s.id = ${id} and s.project_id = ${projectId}`.execute(this.db);
    const found = rows[0];
    return { row: found?.id ? toSnapshot(found) : undefined, checkpoint: Number(found?.checkpoint ?? 0) };
  }

  /** Newest first, like the hosted API. */
  async list(projectId: string, filter: SessionListFilter = {}): Promise<SessionRow[]> {
    let q = this.db.selectFrom('sessions').select(COLUMNS).where('project_id', '=', projectId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.metadata) {
      // Containment uses the GIN index; a nested object mirrors the path.
      const probe = filter.metadata.path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), filter.metadata.value);
      q = q.where('user_metadata', '@>', JSON.stringify(probe) as never);
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit ?? 1000).execute();
    return rows.map(toSnapshot);
  }

  /** Browser time used by a project's sessions, in whole minutes per session, running ones up to now. */
  async browserMinutes(projectId: string): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select(sql<string>`coalesce(sum(ceil(extract(epoch from (coalesce(ended_at, now()) - started_at)) / 60)), 0)`.as('minutes'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return Number(row?.minutes ?? 0);
  }

  /** Bytes through upstream proxies over all of the project's sessions (each counted at its end). */
  async proxyBytes(projectId: string): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select(sql<string>`coalesce(sum(proxy_bytes), 0)`.as('bytes'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }
}

type Selected = Pick<Database['sessions'], (typeof COLUMNS)[number]>;

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

function toSnapshot(row: { [K in keyof Selected]: unknown }): SessionRow {
  return {
    id: row.id as string,
    projectId: row.project_id as string,
    status: row.status as SessionStatus,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    startedAt: iso(row.started_at),
    ...(row.ended_at ? { endedAt: iso(row.ended_at) } : {}),
    expiresAt: iso(row.expires_at),
    keepAlive: row.keep_alive as boolean,
    region: row.region as SessionRow['region'],
    ...(row.user_metadata ? { userMetadata: row.user_metadata as SessionRow['userMetadata'] } : {}),
    ...(row.context_id ? { contextId: row.context_id as string } : {}),
    ...(row.node_id ? { nodeId: row.node_id as string } : {}),
    ...(row.endpoint ? { endpoint: row.endpoint as string } : {}),
    ...(row.end_reason ? { endReason: row.end_reason as SessionRow['endReason'] } : {}),
    clients: row.clients as number,
    proxyBytes: Number(row.proxy_bytes),
    version: Number(row.version),
  };
}

/** A snapshot as the `sessions` columns it is stored in (user_metadata as its JSON value). */
export function sessionRow(snapshot: SessionSnapshot) {
  return {
    id: snapshot.id,
    project_id: snapshot.projectId,
    status: snapshot.status,
    created_at: snapshot.createdAt,
    updated_at: snapshot.updatedAt,
    started_at: snapshot.startedAt,
    ended_at: snapshot.endedAt ?? null,
    expires_at: snapshot.expiresAt,
    keep_alive: snapshot.keepAlive,
    region: snapshot.region,
    user_metadata: snapshot.userMetadata ?? null,
    context_id: snapshot.contextId ?? null,
    node_id: snapshot.nodeId ?? null,
    endpoint: snapshot.endpoint ?? null,
    end_reason: snapshot.endReason ?? null,
    proxy_bytes: snapshot.proxyBytes ?? 0,
    clients: snapshot.clients,
    version: snapshot.version,
  };
}
