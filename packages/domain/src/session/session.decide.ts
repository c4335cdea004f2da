import {
  ClientConnected,
  ClientDisconnected,
  SessionEnded,
  SessionReleaseRequested,
  SessionRequested,
  SessionScheduled,
  SessionStarted,
  type EndReason,
  type EndedStatus,
  type EventMetadata,
  type SessionEvent,
} from '@hangar/contracts';
import type { z } from 'zod';
import type { SessionState } from './session.state.js';

export class SessionRuleViolation extends Error {
  constructor(
    readonly rule: 'ALREADY_EXISTS' | 'NOT_FOUND' | 'NOT_PENDING' | 'NOT_RUNNING' | 'ENDED',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The session's commands as pure decisions: given the current state, which events happen.
 * Terminal transitions are idempotent (ending an ended session decides nothing) because
 * several actors race to end a session (release, timeout, disconnect, crash) and the first wins.
 */
export type SessionCommand =
  | { type: 'Request'; data: z.input<typeof SessionRequested.schema>['data'] }
  | { type: 'Schedule'; nodeId: string }
  | { type: 'Start'; nodeId: string; endpoint: string; pid: number }
  | { type: 'Connect'; connectionId: string }
  | { type: 'Disconnect'; connectionId: string }
  | { type: 'RequestRelease' }
  | { type: 'End'; status: EndedStatus; reason: EndReason; detail?: string };

export function decideSession(state: SessionState, command: SessionCommand, meta: EventMetadata): SessionEvent[] {
  switch (command.type) {
    case 'Request':
      if (state.kind !== 'absent') throw new SessionRuleViolation('ALREADY_EXISTS', 'session already exists');
      return [SessionRequested.create(command.data, meta)];
    case 'Schedule':
      if (state.kind !== 'pending') throw new SessionRuleViolation('NOT_PENDING', `cannot schedule a ${state.kind} session`);
      return [SessionScheduled.create({ sessionId: state.id, nodeId: command.nodeId }, meta)];
    case 'Start':
      if (state.kind === 'ended') throw new SessionRuleViolation('ENDED', 'session ended before its browser started');
      if (state.kind !== 'pending') throw new SessionRuleViolation('NOT_PENDING', `cannot start a ${state.kind} session`);
      return [SessionStarted.create({ sessionId: state.id, nodeId: command.nodeId, endpoint: command.endpoint, pid: command.pid }, meta)];
    case 'Connect':
      if (state.kind !== 'running') throw new SessionRuleViolation('NOT_RUNNING', `session is ${state.kind}`);
      return [ClientConnected.create({ sessionId: state.id, connectionId: command.connectionId, clients: state.clients + 1 }, meta)];
    case 'Disconnect':
      if (state.kind !== 'running') return [];
      return [ClientDisconnected.create({ sessionId: state.id, connectionId: command.connectionId, clients: Math.max(0, state.clients - 1) }, meta)];
    case 'RequestRelease':
      if (state.kind === 'absent') throw new SessionRuleViolation('NOT_FOUND', 'session not found');
      if (state.kind === 'ended' || state.releaseRequested) return [];
      return [SessionReleaseRequested.create({ sessionId: state.id }, meta)];
    case 'End':
      if (state.kind === 'absent') throw new SessionRuleViolation('NOT_FOUND', 'session not found');
      if (state.kind === 'ended') return [];
      return [SessionEnded.create({ sessionId: state.id, status: command.status, reason: command.reason, detail: command.detail }, meta)];
  }
}

/** Without keepAlive, the last client leaving ends the session. */
export function endsOnDisconnect(state: SessionState): boolean {
  return state.kind === 'running' && !state.keepAlive && state.clients === 0 && state.everConnected;
}
