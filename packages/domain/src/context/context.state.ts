import type { ContextEvent } from '@hangar/contracts';

/** The profile a context holds: the object of its last save. */
export interface ContextProfile {
  readonly version: number;
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly files: number;
  readonly sessionId: string;
  readonly savedAt: string;
}

export interface ContextFacts {
  readonly id: string;
  readonly projectId: string;
  readonly name: string | undefined;
  readonly publicKey: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The last save, or undefined while no session has persisted into it (an empty profile). */
  readonly profile: ContextProfile | undefined;
  /** Every save's key, oldest first: what pruning and deletion remove. */
  readonly keys: readonly string[];
}
export type UsableContext = ContextFacts & { readonly kind: 'active' };

/** One context as its events say: absent, there, or deleted. */
export type ContextState = { readonly kind: 'absent' } | UsableContext | (ContextFacts & { readonly kind: 'deleted' });

export function evolveContext(state: ContextState, event: ContextEvent): ContextState {
  if (event.type === 'ContextCreated' && state.kind === 'absent') {
    const d = event.data;
    return { kind: 'active', id: d.contextId, projectId: d.projectId, name: d.name, publicKey: d.publicKey, createdAt: event.occurredAt, updatedAt: event.occurredAt, profile: undefined, keys: [] };
  }
  if (event.type === 'ContextSaved' && state.kind === 'active') {
    const d = event.data;
    const profile = { version: d.version, key: d.key, bytes: d.bytes, sha256: d.sha256, files: d.files, sessionId: d.sessionId, savedAt: event.occurredAt };
    return { ...state, profile, keys: [...state.keys, d.key], updatedAt: event.occurredAt };
  }
  if (event.type === 'ContextDeleted' && state.kind === 'active') return { ...state, kind: 'deleted', updatedAt: event.occurredAt };
  return state;
}

export function foldContext(events: readonly ContextEvent[]): ContextState {
  return events.reduce(evolveContext, { kind: 'absent' } as ContextState);
}

/**
 * Whether `projectId` may use (read, update, delete, start a session with) the context: only its
 * own, and only while it is not deleted. Another project's context is, to the caller, none at all.
 */
export function usableContext(state: ContextState, projectId: string): UsableContext | undefined {
  return state.kind === 'active' && state.projectId === projectId ? state : undefined;
}

/**
 * The saved object the last save made removable: the third newest. The newest two stay, because
 * a session launching at this moment may still be reading the one before the newest.
 */
export function prunableProfileKeys(state: ContextState): string[] {
  if (state.kind === 'absent' || state.keys.length < 3) return [];
  return [state.keys[state.keys.length - 3]!];
}

/** Whether the session's profile outlives it: it saves into its context when it ends. */
export function persistsProfile(settings: { readonly context?: { readonly persist?: boolean | undefined } | undefined }): boolean {
  return settings.context?.persist === true;
}
