import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export class ApiKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(key: { id: string; projectId: string; keyHash: string; prefix: string; createdAt: string }): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({ id: key.id, project_id: key.projectId, key_hash: key.keyHash, prefix: key.prefix, created_at: key.createdAt })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async projectIdForHash(keyHash: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('api_keys').select('project_id').where('key_hash', '=', keyHash).executeTakeFirst();
    return row?.project_id;
  }
}
