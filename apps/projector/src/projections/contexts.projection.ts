import type { ContextCreatedEvent, ContextDeletedEvent, ContextSavedEvent } from '@hangar/contracts';
import type { Repositories } from '@hangar/db';

/** `contexts`: one row per ContextCreated; ContextSaved moves its profile on; ContextDeleted marks it (the row stays, for the record). */
export async function projectContextCreated(repos: Repositories, event: ContextCreatedEvent): Promise<void> {
  const d = event.data;
  await repos.contexts.insert({ id: d.contextId, projectId: d.projectId, name: d.name ?? null, publicKey: d.publicKey, createdAt: event.occurredAt });
}

export async function projectContextSaved(repos: Repositories, event: ContextSavedEvent): Promise<void> {
  const d = event.data;
  await repos.contexts.saved(d.contextId, { version: d.version, key: d.key, bytes: d.bytes, sessionId: d.sessionId, at: event.occurredAt });
}

export async function projectContextDeleted(repos: Repositories, event: ContextDeletedEvent): Promise<void> {
  await repos.contexts.markDeleted(event.data.contextId, event.occurredAt);
}
