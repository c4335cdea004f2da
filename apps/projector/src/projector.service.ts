import type { DomainEvent } from '@hangar/contracts';
import { repositories, sql, type Database, type Kysely } from '@hangar/db';
import type { Logger } from '@hangar/runtime';
import { Histogram, Counter, type Registry } from 'prom-client';
import { applyToReadModel } from './read-model.projection.js';

/**
 * Exactly-once application on top of at-least-once delivery: the event row, the projection rows
 * and the checkpoint commit together, and an event at or below the checkpoint is a redelivery
 * that changes nothing. Following resumes from that checkpoint (runCheckpointedFollower). The checkpoint row is locked for the transaction, so a second projector
 * replica with the same name waits instead of interleaving.
 */
export class ProjectorService {
  private readonly lag: Histogram;
  private readonly applied: Counter;
  private readonly skipped: Counter;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly name: string,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.lag = new Histogram({
      name: 'hangar_projection_lag_seconds',
      help: 'Time from an event occurring to its projection committing',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.applied = new Counter({ name: 'hangar_projection_events_applied_total', help: 'Events applied', labelNames: ['type'], registers: [registry] });
    this.skipped = new Counter({ name: 'hangar_projection_events_redelivered_total', help: 'Redelivered events skipped', registers: [registry] });
  }

  async handle(event: DomainEvent, seq: number, subject: string): Promise<'applied' | 'skipped'> {
    const outcome = await this.db.transaction().execute(async (trx) => {
      // No fsync wait at commit: the read model is rebuilt from the stream, and an asynchronous
      // commit is still atomic, so a crash loses the newest rows and their checkpoint together
      // and the projector applies those events again. Under load the WAL flush was most of the
      // lag (a commit queued behind browser profiles being written and deleted).
      await sql`set local synchronous_commit = off`.execute(trx);
      const repos = repositories(trx);
      const position = await repos.checkpoints.positionForUpdate(this.name);
      if (seq <= position) return 'skipped' as const;
      await repos.events.append(seq, subject, event);
      await applyToReadModel(trx, event, subject);
      await repos.checkpoints.advance(this.name, seq);
      return 'applied' as const;
    });
    if (outcome === 'applied') {
      this.applied.inc({ type: event.type });
      this.lag.observe((Date.now() - Date.parse(event.occurredAt)) / 1000);
      this.logger.debug({ seq, type: event.type, subject }, 'projected');
    } else {
      this.skipped.inc();
      this.logger.debug({ seq, type: event.type }, 'redelivery skipped');
    }
    return outcome;
  }
}
