import {
  ClientConnected,
  ClientDisconnected,
  SessionArtifactStored,
  SessionEnded,
  SessionReleaseRequested,
  SessionRequested,
  SessionScheduled,
  SessionStarted,
  type CommandError,
  type EndReason,
  type EventMetadata,
  type SessionEvent,
  type StoredArtifact,
} from '@hangar/contracts';
import type { z } from 'zod';
import { endStatusFor } from './session.end.js';
import type { SessionState } from './session.state.js';

export class SessionRuleViolation extends Error {
  constructor(
    readonly rule: 'ALREADY_EXISTS' | 'NOT_FOUND' | 'NOT_PENDING' | 'NOT_RUNNING' | 'ENDED',
    message: string,
  ) {
    super(message);
  }

  /** The rule, as a command's refusal: a session that ended or never was is NOT_FOUND. */
  toCommandError(): CommandError {
    return { code: this.rule === 'NOT_FOUND' || this.rule === 'ENDED' ? 'NOT_FOUND' : 'VALIDATION', message: this.message };
  }
}

/**
 * What a decision needs from outside, given by its caller so that deciding stays pure: the
 * metadata, the time, and the id of the event decided (a session command decides at most one).
 */
export interface DecisionContext {
  readonly meta: EventMetadata;
  readonly now: Date;
  readonly eventId: string;
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
  /** Only why: the status follows from the reason (endStatusFor). */
  | { type: 'End'; reason: EndReason; detail?: string; proxyBytes?: number }
  /** An artifact of the session is in the store: while it runs or after it ended, never before it was. */
  | { type: 'RecordArtifact'; artifact: StoredArtifact };

export function decideSession(state: SessionState, command: SessionCommand, context: DecisionContext): SessionEvent[] {
  const { meta } = context;
  const options = { id: context.eventId, at: context.now };
  switch (command.type) {
    case 'Request':
      if (state.kind !== 'absent') throw new SessionRuleViolation('ALREADY_EXISTS', 'session already exists');
      return [SessionRequested.create(command.data, meta, options)];
    case 'Schedule':
      if (state.kind !== 'pending') throw new SessionRuleViolation('NOT_PENDING', `cannot schedule a ${state.kind} session`);
      return [SessionScheduled.create({ sessionId: state.id, nodeId: command.nodeId }, meta, options)];
    case 'Start':
      if (state.kind === 'ended') throw new SessionRuleViolation('ENDED', 'session ended before its browser started');
      if (state.kind !== 'pending') throw new SessionRuleViolation('NOT_PENDING', `cannot start a ${state.kind} session`);
      return [SessionStarted.create({ sessionId: state.id, nodeId: command.nodeId, endpoint: command.endpoint, pid: command.pid }, meta, options)];
    case 'Connect':
      if (state.kind !== 'running') throw new SessionRuleViolation('NOT_RUNNING', `session is ${state.kind}`);
      return [ClientConnected.create({ sessionId: state.id, connectionId: command.connectionId, clients: state.clients + 1 }, meta, options)];
    case 'Disconnect':
      if (state.kind !== 'running') return [];
      return [ClientDisconnected.create({ sessionId: state.id, connectionId: command.connectionId, clients: Math.max(0, state.clients - 1) }, meta, options)];
    case 'RequestRelease':
      if (state.kind === 'absent') throw new SessionRuleViolation('NOT_FOUND', 'session not found');
      if (state.kind === 'ended' || state.releaseRequested) return [];
      return [SessionReleaseRequested.create({ sessionId: state.id }, meta, options)];
    case 'End':
      if (state.kind === 'absent') throw new SessionRuleViolation('NOT_FOUND', 'session not found');
      if (state.kind === 'ended') return [];
      return [SessionEnded.create({ sessionId: state.id, status: endStatusFor(command.reason), reason: command.reason, detail: command.detail, ...(command.proxyBytes ? { proxyBytes: command.proxyBytes } : {}) }, meta, options)];
    case 'RecordArtifact':
      if (state.kind === 'absent') throw new SessionRuleViolation('NOT_FOUND', 'session not found');
      return [SessionArtifactStored.create({ sessionId: state.id, ...command.artifact }, meta, options)];
  }
}

/** Without keepAlive, the last client leaving ends the session. */
export function endsOnDisconnect(state: SessionState): boolean {
  return state.kind === 'running' && !state.keepAlive && state.clients === 0 && state.everConnected;
}
