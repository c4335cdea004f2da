import { assertNever, evolveSession, initialSessionState, toSnapshot, type SessionState } from '@hangar/domain';
import { sessionEventSchema, type DomainEvent, type SessionEvent } from '@hangar/contracts';
import { repositories, type Database, type Transaction } from '@hangar/db';

/**
 * Applies one domain event to the read model inside the caller's transaction. Session rows are
 * re-folded from the session's own history in the `events` table (a handful of rows), so the
 * row always equals the domain's fold of the log: replaying the stream gives the same rows.
 */
export async function applyToReadModel(trx: Transaction<Database>, event: DomainEvent, subject: string): Promise<void> {
  const repos = repositories(trx);
  switch (event.type) {
    case 'SessionRequested':
    case 'SessionScheduled':
    case 'SessionStarted':
    case 'ClientConnected':
    case 'ClientDisconnected':
    case 'SessionReleaseRequested':
    case 'SessionEnded': {
      const history = await trx.selectFrom('events').select(['seq', 'type', 'id', 'occurred_at', 'data', 'metadata']).where('subject', '=', subject).orderBy('seq').execute();
      let state: SessionState = initialSessionState;
      for (const row of history) {
        const parsed: SessionEvent = sessionEventSchema.parse({
          id: row.id,
          type: row.type,
          version: 1,
          occurredAt: new Date(row.occurred_at).toISOString(),
          data: row.data,
          metadata: row.metadata,
        });
        state = evolveSession(state, parsed, Number(row.seq));
      }
      const snapshot = toSnapshot(state);
      if (snapshot) await repos.sessions.upsert(snapshot);
      return;
    }
    case 'ProjectCreated':
      await repos.projects.insert({
        id: event.data.projectId,
        name: event.data.name,
        ownerId: event.data.ownerId,
        concurrency: event.data.concurrency,
        defaultTimeout: event.data.defaultTimeoutSeconds,
        createdAt: event.occurredAt,
        updatedAt: event.occurredAt,
      });
      return;
    case 'ApiKeyIssued':
      await repos.apiKeys.insert({ id: event.data.keyId, projectId: event.data.projectId, keyHash: event.data.keyHash, prefix: event.data.prefix, createdAt: event.occurredAt });
      return;
    case 'NodeJoined':
      await repos.nodes.upsert({
        id: event.data.nodeId,
        region: event.data.region,
        endpoint: event.data.endpoint,
        maxSessions: event.data.maxSessions,
        state: 'up',
        joinedAt: event.occurredAt,
        updatedAt: event.occurredAt,
      });
      return;
    case 'NodeLeft':
      await repos.nodes.markLeft(event.data.nodeId, event.occurredAt);
      return;
    default:
      return assertNever(event);
  }
}
