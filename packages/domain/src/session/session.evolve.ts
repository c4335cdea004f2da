import type { SessionEvent } from '@hangar/contracts';
import { assertNever, type SessionState } from './session.state.js';

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
      };
    }
    default:
      return assertNever(event);
  }
}

export function foldSession(events: Iterable<{ event: SessionEvent; seq: number }>, from: SessionState = { kind: 'absent', version: 0 }): SessionState {
  let state = from;
  for (const { event, seq } of events) state = evolveSession(state, event, seq);
  return state;
}
