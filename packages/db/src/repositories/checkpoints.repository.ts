import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A projection's position in the stream, written in the same transaction as its rows. */
export class CheckpointsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async position(name: string): Promise<number> {
    const row = await this.db.selectFrom('projection_checkpoints').select('position').where('name', '=', name).executeTakeFirst();
    return Number(row?.position ?? 0);
  }

  /**
   * Locks the checkpoint row for the rest of the transaction, so two projector replicas
   * serialise; creates it (at 0) the first time. One round trip once the row exists.
   */
  async positionForUpdate(name: string): Promise<number> {
    const lock = () => this.db.selectFrom('projection_checkpoints').select('position').where('name', '=', name).forUpdate().executeTakeFirst();
    let row = await lock();
    if (!row) {
      await this.db
        .insertInto('projection_checkpoints')
        .values({ name, position: 0, updated_at: new Date() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      row = await lock();
    }
    return Number(row!.position);
  }

  async advance(name: string, position: number): Promise<void> {
    await this.db.updateTable('projection_checkpoints').set({ position, updated_at: new Date() }).where('name', '=', name).execute();
  }
}
