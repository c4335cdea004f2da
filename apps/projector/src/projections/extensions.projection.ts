import type { ExtensionDeletedEvent, ExtensionUploadedEvent } from '@hangar/contracts';
import type { Repositories } from '@hangar/db';

/** `extensions`: one row per ExtensionUploaded; ExtensionDeleted marks it deleted (the row stays, for the record). */
export async function projectExtensionUploaded(repos: Repositories, event: ExtensionUploadedEvent): Promise<void> {
  const d = event.data;
  await repos.extensions.insert({ id: d.extensionId, projectId: d.projectId, fileName: d.fileName, artifactKey: d.key, root: d.root, bytes: d.bytes, sha256: d.sha256, createdAt: event.occurredAt, updatedAt: event.occurredAt });
}

export async function projectExtensionDeleted(repos: Repositories, event: ExtensionDeletedEvent): Promise<void> {
  await repos.extensions.markDeleted(event.data.extensionId, event.occurredAt);
}
