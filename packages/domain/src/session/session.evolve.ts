import type { DomainEvent, SessionEvent } from '@hangar/contracts';
import { assertNever, initialSessionState, type SessionState } from './session.state.js';

/**
 * Folds one event into the state. Total and pure: an event that does not apply to the current
 * state (a late ClientDisconnected after SessionEnded) leaves it as it is, so replaying the log
 * in any consumer gives the same answer.
 */
export function evolveSession(state: SessionState, event: SessionEvent, version = state.version + 1): SessionState {
  const at = event.occurredAt;
  switch (event.type) {
    case 'SessionRequested': {
      if (state.kind !== 'absent') return { ...state, version };
      const d = event.data;
      return {
        kind: 'pending',
        id: d.sessionId,
        projectId: d.projectId,
        createdAt: at,
        updatedAt: at,
        expiresAt: d.expiresAt,
        timeoutSeconds: d.timeoutSeconds,
        keepAlive: d.keepAlive,
        region: d.region,
        userMetadata: d.userMetadata,
        contextId: d.browserSettings.context?.id,
        releaseRequested: false,
        version,
      };
    }
    case 'SessionScheduled':
      if (state.kind !== 'pending') return { ...state, version };
      return { ...state, nodeId: event.data.nodeId, updatedAt: at, version };
    case 'SessionStarted':
      if (state.kind !== 'pending') return { ...state, version };
      return {
        ...state,
        kind: 'running',
        nodeId: event.data.nodeId,
        endpoint: event.data.endpoint,
        startedAt: at,
        updatedAt: at,
        clients: 0,
        everConnected: false,
        version,
      };
    case 'ClientConnected':
      if (state.kind !== 'running') return { ...state, version };
      return { ...state, clients: event.data.clients, everConnected: true, updatedAt: at, version };
    case 'ClientDisconnected':
      if (state.kind !== 'running') return { ...state, version };
      return { ...state, clients: event.data.clients, updatedAt: at, version };
    case 'SessionReleaseRequested':
      if (state.kind !== 'pending' && state.kind !== 'running') return { ...state, version };
      return { ...state, releaseRequested: true, updatedAt: at, version };
    case 'SessionEnded': {
      if (state.kind === 'absent' || state.kind === 'ended') return { ...state, version };
      const { releaseRequested: _r, ...base } = state;
      return {
        ...base,
        kind: 'ended',
        status: event.data.status,
        reason: event.data.reason,
        // A session that never started still reports startedAt (the API field is required):
        // it is its creation time.
        startedAt: state.kind === 'running' ? state.startedAt : state.createdAt,
        endpoint: state.kind === 'running' ? state.endpoint : undefined,
        endedAt: at,
        updatedAt: at,
        version,
        ...(event.data.proxyBytes ? { proxyBytes: event.data.proxyBytes } : {}),
      };
    }
    case 'SessionArtifactStored':
      // A fact about the store, not the session's life: the state (and its updatedAt) stays.
      return { ...state, version };
    default:
      return assertNever(event);
  }
}

const SESSION_EVENT_TYPES: ReadonlySet<string> = new Set<SessionEvent['type']>([
  'SessionRequested',
  'SessionScheduled',
  'SessionStarted',
  'ClientConnected',
  'ClientDisconnected',
  'SessionReleaseRequested',
  'SessionEnded',
  'SessionArtifactStored',
]);

/** The events a session's state folds; anything else on its subject is ignored. */
export const isSessionEvent = (event: DomainEvent): event is SessionEvent => SESSION_EVENT_TYPES.has(event.type);

/**
 * A session's state from events in hand, each at its stream sequence (as read from the log, or
 * as appended by the writer that hands the session on). Stale is safe: the next append expects
 * the last folded sequence, and a conflict reloads from the log.
 */
export function foldSession(events: Iterable<{ readonly event: DomainEvent; readonly seq: number }>, from: SessionState = initialSessionState): SessionState {
  let state = from;
  for (const { event, seq } of events) if (isSessionEvent(event)) state = evolveSession(state, event, seq);
  return state;
}
