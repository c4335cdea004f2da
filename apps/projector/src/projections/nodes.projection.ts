import type { EventOf, NodeJoined, NodeLeft } from '@hangar/contracts';
import type { Repositories } from '@hangar/db';

/** `nodes`: a node's row, up from its NodeJoined (a rejoin after a restart included)… */
export async function projectNodeJoined(repos: Repositories, event: EventOf<typeof NodeJoined>): Promise<void> {
  await repos.nodes.upsert({
    id: event.data.nodeId,
    region: event.data.region,
    endpoint: event.data.endpoint,
    maxSessions: event.data.maxSessions,
    state: 'up',
    joinedAt: event.occurredAt,
    updatedAt: event.occurredAt,
  });
}

/** …and marked left by its NodeLeft. */
export async function projectNodeLeft(repos: Repositories, event: EventOf<typeof NodeLeft>): Promise<void> {
  await repos.nodes.markLeft(event.data.nodeId, event.occurredAt);
}
