import type { EventOf, ProjectCreated } from '@hangar/contracts';
import type { Repositories } from '@hangar/db';

/** `projects`: one row per ProjectCreated. */
export async function projectProjectCreated(repos: Repositories, event: EventOf<typeof ProjectCreated>): Promise<void> {
  await repos.projects.insert({
    id: event.data.projectId,
    name: event.data.name,
    ownerId: event.data.ownerId,
    concurrency: event.data.concurrency,
    defaultTimeout: event.data.defaultTimeoutSeconds,
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
  });
}
