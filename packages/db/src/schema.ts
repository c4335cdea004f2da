import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface ProjectsTable {
  id: string;
  name: string;
  owner_id: string;
  concurrency: number;
  default_timeout_seconds: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  project_id: string;
  key_hash: string;
  prefix: string;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  project_id: string;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  expires_at: Timestamp;
  keep_alive: boolean;
  region: string;
  user_metadata: JSONColumnType<Record<string, unknown>, string, string> | null;
  context_id: string | null;
  node_id: string | null;
  endpoint: string | null;
  end_reason: string | null;
  clients: number;
  proxy_bytes: ColumnType<string, number | undefined, number>;
  /** Stream sequence of the last event folded into this row. */
  version: ColumnType<string, number, number>;
}

export interface NodesTable {
  id: string;
  region: string;
  endpoint: string;
  max_sessions: number;
  state: string;
  joined_at: Timestamp;
  updated_at: Timestamp;
}

export interface EventsTable {
  seq: ColumnType<string, number, never>;
  id: string;
  type: string;
  subject: string;
  occurred_at: Timestamp;
  data: JSONColumnType<Record<string, unknown>, string, never>;
  metadata: JSONColumnType<Record<string, unknown>, string, never>;
  recorded_at: Generated<Date>;
}

export interface ProjectionCheckpointsTable {
  name: string;
  position: ColumnType<string, number, number>;
  updated_at: Timestamp;
}

export interface ExtensionsTable {
  id: string;
  project_id: string;
  file_name: string;
  artifact_key: string;
  root: string;
  bytes: ColumnType<string, number, number>;
  sha256: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ContextsTable {
  id: string;
  project_id: string;
  name: string | null;
  public_key: string;
  version: ColumnType<number, number | undefined, number>;
  profile_key: string | null;
  profile_bytes: ColumnType<string | null, number | null | undefined, number | null>;
  saved_by_session_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface Database {
  contexts: ContextsTable;
  extensions: ExtensionsTable;
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  nodes: NodesTable;
  events: EventsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
}
