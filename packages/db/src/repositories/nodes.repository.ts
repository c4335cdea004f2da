import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface NodeRow {
  id: string;
  region: string;
  endpoint: string;
  maxSessions: number;
  state: 'up' | 'left';
  joinedAt: string;
  updatedAt: string;
}

export class NodesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(node: NodeRow): Promise<void> {
    const values = {
      id: node.id,
      region: node.region,
      endpoint: node.endpoint,
      max_sessions: node.maxSessions,
      state: node.state,
      joined_at: node.joinedAt,
      updated_at: node.updatedAt,
    };
    await this.db
      .insertInto('nodes')
      .values(values)
      .onConflict((oc) => oc.column('id').doUpdateSet({ region: values.region, endpoint: values.endpoint, max_sessions: values.max_sessions, state: values.state, joined_at: values.joined_at, updated_at: values.updated_at }))
      .execute();
  }

  async markLeft(id: string, at: string): Promise<void> {
    await this.db.updateTable('nodes').set({ state: 'left', updated_at: at }).where('id', '=', id).execute();
  }
}
