import { inTransaction, repositories, type Database, type Kysely } from '@hangar/db';
import type { Logger } from '@hangar/runtime';
import { Histogram, Counter, type Registry } from 'prom-client';
import { toSnapshot, type SessionState } from '@hangar/domain';
import { applyToReadModel, type LoggedEvent } from './projections/read-model.js';
import { foldInMemory, SessionStates } from './projections/sessions.projection.js';

/**
 * Exactly-once application on top of at-least-once delivery: the event rows, the projection rows
 * and the checkpoint commit together, and an event at or below the checkpoint is a redelivery
 * that changes nothing. Following resumes from that checkpoint (runCheckpointedFollower), which
 * hands over every event that arrived while the previous transaction ran. The checkpoint row is
 * locked for the transaction, so a second projector replica with the same name waits instead of
 * interleaving.
 *
 * Its database connections commit without waiting for the WAL flush (synchronous_commit off, see
 * projector.module.ts): the read model is rebuilt from the stream, and an asynchronous commit is
 * still atomic, so a crash loses the newest rows and their checkpoint together and the projector
 * applies those events again. Under load the flush was most of the lag (a commit queued behind
 * browser profiles being written and deleted).
 */
export class ProjectorService {
  private readonly lag: Histogram;
  private readonly applied: Counter;
  private readonly skipped: Counter;
  private readonly states = new SessionStates();
  /** The checkpoint this process last committed; undefined before its first, or after a failure. */
  private committed: number | undefined;

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

  /**
   * Applies a batch of consecutive events (stream order), atomically. Events at or below the
   * checkpoint are redeliveries and change nothing; the rest, their projection rows and the new
   * checkpoint commit together.
   */
  async handle(batch: readonly LoggedEvent[]): Promise<{ applied: number; skipped: number }> {
    const fresh = (await this.commitFromMemory(batch)) ?? (await this.commitInTransaction(batch));
    const now = Date.now();
    for (const { event, seq, subject } of fresh) {
      this.applied.inc({ type: event.type });
      this.lag.observe((now - Date.parse(event.occurredAt)) / 1000);
      this.logger.debug({ seq, type: event.type, subject }, 'projected');
    }
    const skipped = batch.length - fresh.length;
    if (skipped > 0) {
      this.skipped.inc(skipped);
      this.logger.debug({ from: batch[0]!.seq, skipped }, 'redelivery skipped');
    }
    return { applied: fresh.length, skipped };
  }

  /**
   * The common case, in one round trip: this process committed the event just before the batch,
   * and holds (or the batch starts) every session in it. Undefined when that is not so, or when
   * another writer turned out to have moved the checkpoint: the careful path then applies it.
   */
  private async commitFromMemory(batch: readonly LoggedEvent[]): Promise<LoggedEvent[] | undefined> {
    if (this.committed === undefined || batch[0]!.seq <= this.committed) return undefined;
    const folded = foldInMemory(batch, this.states);
    if (!folded) return undefined;
    const snapshots = [...folded.values()].flatMap((state) => toSnapshot(state) ?? []);
    let committed: boolean;
    try {
      committed = await repositories(this.db).projection.commitSessionBatch(this.name, this.committed, batch.at(-1)!.seq, batch, snapshots);
    } catch (err) {
      this.forget();
      throw err;
    }
    if (!committed) {
      this.forget();
      return undefined;
    }
    this.states.commit(folded);
    this.committed = batch.at(-1)!.seq;
    return [...batch];
  }

  /**
   * Any batch: locks the checkpoint, skips what is at or below it, reads back the history of
   * sessions it does not hold, and writes in a transaction.
   */
  private async commitInTransaction(batch: readonly LoggedEvent[]): Promise<LoggedEvent[]> {
    let folded = new Map<string, SessionState>();
    let fresh: LoggedEvent[];
    try {
      fresh = await inTransaction(this.db, async (repos) => {
        const position = await repos.checkpoints.positionForUpdate(this.name);
        // Someone else (a replica with the same name, a rebuild) moved the checkpoint since this
        // process last committed: what it holds in memory may be behind.
        if (position !== this.committed) this.states.clear();
        const unseen = batch.filter((e) => e.seq > position);
        if (unseen.length === 0) return unseen;
        folded = await applyToReadModel(repos, unseen, this.states);
        await repos.checkpoints.advance(this.name, unseen.at(-1)!.seq);
        return unseen;
      });
    } catch (err) {
      this.forget();
      throw err;
    }
    if (fresh.length > 0) {
      this.states.commit(folded);
      this.committed = fresh.at(-1)!.seq;
    }
    return fresh;
  }

  private forget() {
    this.states.clear();
    this.committed = undefined;
  }
}
