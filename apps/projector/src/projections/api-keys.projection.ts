import type { ApiKeyIssued, EventOf } from '@hangar/contracts';
import type { Repositories } from '@hangar/db';

/** `api_keys`: one row per ApiKeyIssued, holding the key's digest, never the key. */
export async function projectApiKeyIssued(repos: Repositories, event: EventOf<typeof ApiKeyIssued>): Promise<void> {
  await repos.apiKeys.insert({ id: event.data.keyId, projectId: event.data.projectId, keyHash: event.data.keyHash, prefix: event.data.prefix, createdAt: event.occurredAt });
}
