import { subjects, type DomainEvent, type EventMetadata, type SessionEvent } from '@hangar/contracts';
import { decideSession, evolveSession, initialSessionState, type SessionCommand, type SessionState } from '@hangar/domain';
import { fold, handleCommand, load, type Aggregate } from './aggregate.js';
import type { EventStore, StoredEvent } from './event-store.js';

const SESSION_EVENT_TYPES = new Set<string>([
  'SessionRequested',
  'SessionScheduled',
  'SessionStarted',
  'ClientConnected',
  'ClientDisconnected',
  'SessionReleaseRequested',
  'SessionEnded',
]);

export const sessionAggregate: Aggregate<SessionState, SessionEvent> = {
  initial: initialSessionState,
  accepts: (event: DomainEvent): event is SessionEvent => SESSION_EVENT_TYPES.has(event.type),
  evolve: evolveSession,
  version: (state) => state.version,
};

export const loadSession = (store: EventStore, sessionId: string) => load(store, subjects.sessionEvents(sessionId), sessionAggregate);

/**
 * A session's state from events already in hand (as appended by the writer that hands the
 * session on), without reading the log. Stale is safe: the next append expects the last folded
 * sequence, and a conflict reloads from the log.
 */
export const foldSession = (events: readonly StoredEvent[], from: SessionState = initialSessionState) => fold(sessionAggregate, events, from);

/** Runs one session command against the log with optimistic concurrency. */
export function executeSessionCommand(
  store: EventStore,
  sessionId: string,
  command: SessionCommand,
  meta: EventMetadata,
  state?: SessionState,
) {
  return handleCommand(store, subjects.sessionEvents(sessionId), sessionAggregate, (s) => decideSession(s, command, meta), {
    ...(state ? { state } : {}),
  });
}
