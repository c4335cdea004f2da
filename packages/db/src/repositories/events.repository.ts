import type { Kysely } from 'kysely';
import type { DomainEvent } from '@hangar/contracts';
import type { Database } from '../schema.js';

export class EventsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Several events in one statement; idempotent on both the stream sequence and the event id. */
  async appendMany(events: readonly { seq: number; subject: string; event: DomainEvent }[]): Promise<void> {
    if (events.length === 0) return;
    await this.db
      .insertInto('events')
      .values(
        events.map(({ seq, subject, event }) => ({
          seq,
          id: event.id,
          type: event.type,
          subject,
          occurred_at: event.occurredAt,
          data: JSON.stringify(event.data),
          metadata: JSON.stringify(event.metadata),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async countByType(type: string): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('type', '=', type).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
