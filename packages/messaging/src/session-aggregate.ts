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
  return executeSessionCommands(store, sessionId, [command], meta, state);
}

/**
 * Several commands decided one after the other (each on the state the previous one's events
 * lead to) and appended together: one round trip for all their events, in order (EventStore.append).
 */
export function executeSessionCommands(
  store: EventStore,
  sessionId: string,
  commands: readonly SessionCommand[],
  meta: EventMetadata,
  state?: SessionState,
) {
  const decide = (from: SessionState) => {
    const events: SessionEvent[] = [];
    let s = from;
    for (const command of commands) {
      const decided = decideSession(s, command, meta);
      // The sequence is not known before the append; deciding needs the state's shape, not its version.
      for (const event of decided) s = evolveSession(s, event, s.version);
      events.push(...decided);
    }
    return events;
  };
  return handleCommand(store, subjects.sessionEvents(sessionId), sessionAggregate, decide, { ...(state ? { state } : {}) });
}
