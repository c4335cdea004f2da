import { subjects, type DomainEvent, type SessionEvent } from '@hangar/contracts';
import { decideSession, type DecisionContext, type SessionCommand } from './session.decide.js';
import { evolveSession, isSessionEvent } from './session.evolve.js';
import { initialSessionState, type SessionState } from './session.state.js';

/**
 * The session as an event-sourced aggregate: where its events live, which it folds, how it
 * decides. Pure data and functions; `@hangar/messaging` runs it against the log (`loadAggregate`,
 * `executeCommand(s)`), so the rules need no NATS and the log needs no session rules.
 */
export const sessionAggregate = {
  subject: (sessionId: string): string => subjects.sessionEvents(sessionId),
  initial: initialSessionState as SessionState,
  accepts: (event: DomainEvent): event is SessionEvent => isSessionEvent(event),
  evolve: (state: SessionState, event: SessionEvent, version: number): SessionState => evolveSession(state, event, version),
  version: (state: SessionState): number => state.version,
  decide: (state: SessionState, command: SessionCommand, context: DecisionContext): SessionEvent[] => decideSession(state, command, context),
};
