import {
  ContextCreated,
  ContextDeleted,
  ContextNameClaimed,
  ContextNameReleased,
  ContextSaved,
  subjects,
  type CommandError,
  type ContextEvent,
  type ContextNameEvent,
  type DomainEvent,
} from '@hangar/contracts';
import type { DecisionContext } from '../session/session.decide.js';
import { evolveContext, type ContextState } from './context.state.js';

export class ContextRuleViolation extends Error {
  constructor(
    readonly rule: 'NOT_FOUND' | 'ALREADY_EXISTS' | 'NAME_TAKEN',
    message: string,
  ) {
    super(message);
  }

  /** A taken name is a 400 naming `name`, not a 409: the SDKs retry a 409 (gateway errors/api-error.ts). */
  toCommandError(): CommandError {
    return { code: this.rule === 'NOT_FOUND' ? 'NOT_FOUND' : 'VALIDATION', message: this.message };
  }
}

export type ContextCommand =
  | { type: 'Create'; contextId: string; projectId: string; name?: string | undefined; publicKey: string }
  | { type: 'Save'; projectId: string; sessionId: string; key: string; bytes: number; sha256: string; files: number }
  | { type: 'Delete'; projectId: string };

export interface ContextAggregateState {
  readonly context: ContextState;
  /** The stream's last sequence: what the next append expects. */
  readonly version: number;
}

const isContextEvent = (e: DomainEvent): e is ContextEvent => e.type === 'ContextCreated' || e.type === 'ContextSaved' || e.type === 'ContextDeleted';

/**
 * A context's rules. A save is one whole new version, numbered on the context's stream: two
 * persisting sessions that end together append versions n+1 and n+2 (the optimistic append makes
 * the second decide again on the first's event), each a complete profile of its own, and the
 * context's profile is the save appended last: the last writer wins, no profile is ever a mix.
 * A deleted context records no more saves (the saving session's object is then removed).
 */
export function decideContext(state: ContextAggregateState, command: ContextCommand, { meta, now, eventId }: DecisionContext): ContextEvent[] {
  const ctx = state.context;
  const options = { id: eventId, at: now };
  switch (command.type) {
    case 'Create':
      if (ctx.kind !== 'absent') throw new ContextRuleViolation('ALREADY_EXISTS', `context ${command.contextId} already exists`);
      return [ContextCreated.create({ contextId: command.contextId, projectId: command.projectId, ...(command.name !== undefined ? { name: command.name } : {}), publicKey: command.publicKey }, meta, options)];
    case 'Save': {
      if (ctx.kind !== 'active' || ctx.projectId !== command.projectId) throw new ContextRuleViolation('NOT_FOUND', 'the context is deleted, or is not this project\'s: the profile is not saved');
      const version = (ctx.profile?.version ?? 0) + 1;
      const { projectId, sessionId, key, bytes, sha256, files } = command;
      return [ContextSaved.create({ contextId: ctx.id, projectId, sessionId, version, key, bytes, sha256, files }, meta, options)];
    }
    case 'Delete':
      if (ctx.kind !== 'active' || ctx.projectId !== command.projectId) throw new ContextRuleViolation('NOT_FOUND', 'context not found');
      return [ContextDeleted.create({ contextId: ctx.id, projectId: ctx.projectId }, meta, options)];
  }
}

export const contextAggregate = {
  subject: (contextId: string): string => subjects.contextEvents(contextId),
  initial: { context: { kind: 'absent' }, version: 0 } as ContextAggregateState,
  accepts: isContextEvent,
  evolve: (state: ContextAggregateState, event: ContextEvent, version: number): ContextAggregateState => ({ context: evolveContext(state.context, event), version }),
  version: (state: ContextAggregateState): number => state.version,
  decide: decideContext,
};

/** Who holds a (project, name): the context of the last claim not released since. */
export interface ContextNameState {
  readonly holder: { readonly contextId: string; readonly name: string } | undefined;
  readonly version: number;
}

export type ContextNameCommand =
  /** `goneHolder`: a holder the caller found deleted (or never created): its claim may be taken over. */
  | { type: 'Claim'; projectId: string; contextId: string; name: string; goneHolder?: string | undefined }
  | { type: 'Release'; projectId: string; contextId: string };

const isNameEvent = (e: DomainEvent): e is ContextNameEvent => e.type === 'ContextNameClaimed' || e.type === 'ContextNameReleased';

export function decideContextName(state: ContextNameState, command: ContextNameCommand, { meta, now, eventId }: DecisionContext): ContextNameEvent[] {
  const options = { id: eventId, at: now };
  const { holder } = state;
  if (command.type === 'Release') {
    return holder?.contextId === command.contextId ? [ContextNameReleased.create({ projectId: command.projectId, contextId: command.contextId }, meta, options)] : [];
  }
  if (holder?.contextId === command.contextId) return [];
  if (holder && holder.contextId !== command.goneHolder) {
    throw new ContextRuleViolation('NAME_TAKEN', `name: a context named ${JSON.stringify(holder.name)} already exists in this project (names are compared without case)`);
  }
  return [ContextNameClaimed.create({ projectId: command.projectId, contextId: command.contextId, name: command.name }, meta, options)];
}

export const contextNameAggregate = {
  subject: (nameToken: string): string => subjects.contextNameEvents(nameToken),
  initial: { holder: undefined, version: 0 } as ContextNameState,
  accepts: isNameEvent,
  evolve: (state: ContextNameState, event: ContextNameEvent, version: number): ContextNameState => ({
    holder: event.type === 'ContextNameClaimed' ? { contextId: event.data.contextId, name: event.data.name } : undefined,
    version,
  }),
  version: (state: ContextNameState): number => state.version,
  decide: decideContextName,
};
