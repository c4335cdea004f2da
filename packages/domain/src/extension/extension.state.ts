import type { ExtensionEvent } from '@hangar/contracts';

export interface ExtensionFacts {
      readonly id: string;
      readonly projectId: string;
      readonly fileName: string;
      readonly key: string;
      readonly root: string;
      readonly sha256: string;
      readonly createdAt: string;
      readonly updatedAt: string;
}
export type UsableExtension = ExtensionFacts & { readonly kind: 'uploaded' };

/** One extension as its events say: absent, there, or deleted. */
export type ExtensionState = { readonly kind: 'absent' } | UsableExtension | (ExtensionFacts & { readonly kind: 'deleted' });

export function foldExtension(events: readonly ExtensionEvent[]): ExtensionState {
  let state = { kind: 'absent' } as ExtensionState;
  for (const event of events) {
    if (event.type === 'ExtensionUploaded' && state.kind === 'absent') {
      const d = event.data;
      state = { kind: 'uploaded', id: d.extensionId, projectId: d.projectId, fileName: d.fileName, key: d.key, root: d.root, sha256: d.sha256, createdAt: event.occurredAt, updatedAt: event.occurredAt };
    } else if (event.type === 'ExtensionDeleted' && state.kind === 'uploaded') {
      state = { ...state, kind: 'deleted', updatedAt: event.occurredAt };
    }
  }
  return state;
}

/**
 * Whether `projectId` may use (read, delete, launch with) the extension: only its own, and only
 * while it is not deleted. Another project's extension is, to the caller, no extension at all.
 */
export function usableExtension(state: ExtensionState, projectId: string): UsableExtension | undefined {
  return state.kind === 'uploaded' && state.projectId === projectId ? state : undefined;
}
