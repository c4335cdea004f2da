import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { logAnswer, recordingAnswer, TELEMETRY_KINDS, type EventMetadata, type StoredArtifact, type TelemetryKind } from '@hangar/contracts';
import type { ArtifactStore } from '@hangar/artifacts';
import { sessionAggregate, sessionArtifactKey } from '@hangar/domain';
import { executeCommand, type EventStore, type TelemetryLog } from '@hangar/messaging';
import type { Logger } from '@hangar/runtime';
import { limiter } from './limiter.js';
import { readEndedSession, type EndedSession } from './session-history.js';
import type { TelemetryEnds } from './telemetry-end.js';

export interface SessionArchiverOptions {
  /** How long after a session's end its node has to send each kind's `end` (HANGAR_ARCHIVE_WAIT_MS). */
  waitMs: number;
  /** Sessions whose telemetry is read and written at once (each holds its telemetry in memory meanwhile). */
  concurrency?: number;
}

/** Thrown when the process stops while a session waits: nothing was written, the next run does it. */
export class ArchivingStopped extends Error {
  constructor(sessionId: string) {
    super(`stopped before session ${sessionId} was archived`);
    this.name = 'ArchivingStopped';
  }
}

export type ArchiveOutcome = 'archived' | 'already-archived' | 'unknown-session';

/**
 * Turns one ended session's telemetry into its artifacts: one gzip'd NDJSON object per kind,
 * recorded in the domain log (SessionArtifactStored), then the telemetry is purged.
 *
 * Safe to run twice, or to be cut off anywhere (a restart redelivers the SessionEnded): the order
 * is put → record → purge, and a kind already recorded is not written again, so a second run
 * after the purge can never overwrite an artifact with an empty one. A put repeated before its
 * record writes the same key with the same telemetry.
 *
 * Fencing: what it reads comes from the session's own subjects (telemetrySubjects.of, ids checked
 * as subject tokens) and goes to the session's own key under its project (sessionArtifactKey,
 * from the project its SessionRequested names, not anything the telemetry says). Entries are
 * re-validated as the SDK's shapes when read (TelemetryLog.read), and written as JSON, never
 * interpreted: a page's content cannot choose where it lands or what else it touches.
 */
export class SessionArchiver {
  /** Waiting for `end` takes no slot: a burst of sessions of a lost node must not hold up the rest. */
  private readonly heavy: <T>(work: () => Promise<T>) => Promise<T>;

  constructor(
    private readonly events: EventStore,
    private readonly telemetry: TelemetryLog,
    private readonly ends: TelemetryEnds,
    private readonly artifacts: ArtifactStore,
    private readonly logger: Logger,
    private readonly options: SessionArchiverOptions,
    private readonly stopped: () => boolean = () => false,
  ) {
    this.heavy = limiter(options.concurrency ?? 4);
  }

  async archive(sessionId: string, meta: EventMetadata): Promise<ArchiveOutcome> {
    const session = await readEndedSession(this.events, sessionId);
    if (!session) return 'unknown-session';
    const todo = TELEMETRY_KINDS.filter((kind) => !session.archived.has(kind));
    if (todo.length) {
      // A session that never started has no node that could report; a kind it does not capture
      // has nothing to end. Neither is waited for, and neither is marked as cut short.
      const expected = session.startedAt === undefined ? [] : todo.filter((kind) => session.captures[kind]);
      const ended = await this.ends.waitFor(sessionId, expected, session.endedAt + this.options.waitMs, this.stopped);
      // A stop is not the node's silence: marking the kinds as cut short would be a lie.
      if (this.stopped()) throw new ArchivingStopped(sessionId);
      for (const kind of todo) {
        const artifact = await this.heavy(() => this.store(session, kind, expected.includes(kind) && !ended.has(kind)));
        await executeCommand(this.events, sessionAggregate, sessionId, { type: 'RecordArtifact', artifact }, meta);
        this.logger.info({ sessionId, projectId: session.projectId, kind, bytes: artifact.bytes, truncated: artifact.truncated ?? false }, 'session artifact stored');
      }
    }
    // Also when every kind was recorded already: an earlier run may have stopped before the purge.
    await this.telemetry.purge(sessionId);
    return todo.length ? 'archived' : 'already-archived';
  }

  private async store(session: EndedSession, kind: TelemetryKind, missingEnd: boolean): Promise<StoredArtifact> {
    const messages = (await this.telemetry.read(session.sessionId, kind)).map((m) => m.message);
    const options = { fallbackTimestamp: session.startedAt ?? session.endedAt, endedAt: missingEnd ? session.endedAt : undefined };
    const { entries, truncated } = kind === 'logs' ? logAnswer(session.sessionId, messages, options) : recordingAnswer(session.sessionId, messages, options);
    const key = sessionArtifactKey(session.projectId, session.sessionId, kind);
    const put = await this.artifacts.put(key, gzipNdjson(entries));
    return { kind, key: put.key, bytes: put.bytes, sha256: put.sha256, truncated };
  }
}

/** One JSON value per line, gzip'd as it is produced: the NDJSON text is never held whole. */
export function gzipNdjson(entries: readonly unknown[]): Readable {
  function* lines() {
    // Lines in chunks of about 64 KiB: a chunk per event would cost a stream write per event.
    let chunk = '';
    for (const entry of entries) {
      chunk += `${JSON.stringify(entry)}\n`;
      if (chunk.length >= 65_536) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  return Readable.from(lines()).pipe(createGzip());
}
