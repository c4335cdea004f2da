import type { Kysely } from 'kysely';
import type { DomainEvent } from '@hangar/contracts';
import type { Database } from '../schema.js';

/** An `events` row, read back: its stream sequence and the event's own fields. */
export interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

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

  /** A subject's events in stream order, as stored (the caller parses them against its schema). */
  async historyOf(subject: string): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .select(['seq', 'id', 'type', 'occurred_at', 'data', 'metadata'])
      .where('subject', '=', subject)
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({
      seq: Number(row.seq),
      id: row.id,
      type: row.type,
      occurredAt: new Date(row.occurred_at).toISOString(),
      data: row.data,
      metadata: row.metadata,
    }));
  }

  /**
   * For each event that occurred in [fromMs, toMs], the milliseconds from its occurrence to its
   * row being recorded (`recorded_at` is `now()` of the projector's transaction: its start).
   */
  async recordingLagsMs(fromMs: number, toMs: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('events')
      .select(['occurred_at', 'recorded_at'])
      .where('occurred_at', '>=', new Date(fromMs))
      .where('occurred_at', '<=', new Date(toMs))
      .execute();
    return rows.map((r) => r.recorded_at.getTime() - new Date(r.occurred_at).getTime());
  }

  async countByType(type: string): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('type', '=', type).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
