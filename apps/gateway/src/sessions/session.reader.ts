import { Inject, Injectable } from '@nestjs/common';
import { subjects } from '@hangar/contracts';
import { REPOSITORIES, type Repositories } from '@hangar/db';
import { isEnded, sessionAggregate, toSnapshot } from '@hangar/domain';
import { EVENT_STORE, loadAggregate, type EventStore } from '@hangar/messaging';
import { LOGGER, nextFlight, type Logger } from '@hangar/runtime';
import { TtlCache } from '../auth/ttl-cache.js';
import { GATEWAY_ENV } from '../tokens.js';
import type { GatewayEnv } from '../env.js';
import { isSessionId } from './session-id.js';
import type { SessionView } from './session.presenter.js';

/** A row as read, with the checkpoint of the snapshot it was read from. */
interface ReadRow {
  row: SessionView;
  checkpoint: number;
}

/**
 * How long a read waits to learn the stream's position. While NATS is away a JetStream request
 * sits out its whole 5 s timeout; a GET that has a projection row should not wait that long.
 */
const STREAM_CHECK_TIMEOUT_MS = 1_000;

/**
 * Reads one session with read-your-writes: the projection row when it is current, else the
 * session's own events folded on the spot. A client that GETs right after its 201 sees the
 * session however far the projector lags; the fold costs one direct-get per event (a handful).
 *
 * "Current" is decided cheaply when the projector keeps up: the position of the last session
 * event in the stream is read once for every burst of concurrent reads (nextFlight: never a
 * position read before the request arrived), and the row comes with the projector's checkpoint
 * from the same snapshot. A checkpoint at or past that position vouches for every row. Only when
 * the projector lags does a read ask the stream about its own session.
 *
 * Rows read that way are kept (bounded, for a minute) with their checkpoint: while no session
 * event has been appended since (the checkpoint still reaches the last one), nothing can have
 * changed them, and a read needs no query at all. An ended row never changes. So are the
 * sessions a create or a release answered with (`remember`).
 */
@Injectable()
export class SessionReader {
  private readonly lastSessionEvent = nextFlight(() => this.store.lastVersion(subjects.allSessionEvents));
  private readonly rows = new TtlCache<ReadRow>(60_000, 10_000);

  constructor(
    @Inject(REPOSITORIES) private readonly repos: Repositories,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The session when it exists and belongs to `projectId`; another project's is as good as missing. */
  async find(projectId: string, sessionId: string): Promise<SessionView | undefined> {
    if (!isSessionId(sessionId)) return undefined;
    const key = `${projectId}/${sessionId}`;
    const cached = this.rows.get(key);
    if (cached && isEnded(cached.row)) return cached.row;
    const logEndRead = withDeadline(this.lastSessionEvent(), STREAM_CHECK_TIMEOUT_MS).catch((err: unknown) => ({ err }));
    if (cached) {
      const logEnd = await logEndRead;
      if (typeof logEnd === 'number' && cached.checkpoint >= logEnd) return cached.row;
    }
    const [{ row, checkpoint }, logEnd] = await Promise.all([this.repos.sessions.findByIdAt(projectId, sessionId, this.env.HANGAR_PROJECTION_NAME), logEndRead]);
    // An ended row is final: nothing the stream still holds can change it.
    if (row && isEnded(row)) {
      this.rows.set(key, { row, checkpoint });
      return row;
    }
    if (typeof logEnd !== 'number') {
      // NATS down: the row, possibly a little stale, beats no answer.
      if (!row) throw logEnd.err;
      this.logger.warn({ err: logEnd.err, sessionId }, 'event store unreachable; answering from the projection');
      return row;
    }
    if (checkpoint >= logEnd) {
      if (row) this.rows.set(key, { row, checkpoint });
      return row;
    }
    // The projector lags: ask the stream about this one session.
    const last = await withDeadline(this.store.lastVersion(subjects.sessionEvents(sessionId)), STREAM_CHECK_TIMEOUT_MS);
    if (row && row.version >= last) return row;
    if (last === 0) return undefined;
    const folded = await this.fold(sessionId);
    if (!folded || folded.projectId !== projectId) return undefined;
    return folded;
  }

  /**
   * The session as this gateway last saw it (read, created or released here within the minute),
   * not checked against the stream: proof enough that it exists and is this project's.
   */
  recent(projectId: string, sessionId: string): SessionView | undefined {
    return this.rows.get(`${projectId}/${sessionId}`)?.row;
  }

  /**
   * A session as a command's reply gave it: its state through its own last event (`version`).
   * Kept like a row read from the projection, and trusted on the same condition (no session
   * event in the stream after it), so a read or a connect right after a create does not wait
   * for the projector to catch up, nor fold the session from the stream.
   */
  remember(projectId: string, session: SessionView): void {
    this.rows.set(`${projectId}/${session.id}`, { row: session, checkpoint: session.version });
  }

  /**
   * Waits, at most `HANGAR_LIST_WAIT_MS`, until the projection covers every session event in the
   * stream when the call began: a list right after a create or a release includes it. Usually
   * the checkpoint is there already (one shared stream read and one query). Past the wait, or
   * with NATS away, the list answers from the projection as it is.
   */
  async awaitProjection(): Promise<void> {
    const maxWaitMs = this.env.HANGAR_LIST_WAIT_MS;
    if (maxWaitMs === 0) return;
    const logEnd = await withDeadline(this.lastSessionEvent(), STREAM_CHECK_TIMEOUT_MS).catch(() => undefined);
    if (logEnd === undefined) return;
    const deadline = Date.now() + maxWaitMs;
    while ((await this.repos.checkpoints.position(this.env.HANGAR_PROJECTION_NAME)) < logEnd && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * For a caller that proved its right to the session without naming a project (a signing key):
   * the stream is the one source that answers by id alone.
   */
  async findAnyProject(sessionId: string): Promise<SessionView | undefined> {
    return isSessionId(sessionId) ? this.fold(sessionId) : undefined;
  }

  private async fold(sessionId: string): Promise<SessionView | undefined> {
    const snapshot = toSnapshot(await loadAggregate(this.store, sessionAggregate, sessionId));
    return snapshot && { ...snapshot, proxyBytes: snapshot.proxyBytes ?? 0 };
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`event store did not answer within ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
