import { assertNever, evolveSession, foldSession, initialSessionState, sessionAggregate, toSnapshot, type SessionState } from '@hangar/domain';
import { sessionEventSchema, type DomainEvent } from '@hangar/contracts';
import { repositories, type Database, type Transaction } from '@hangar/db';

/** One event as the projector receives it: its stream sequence and subject with it. */
export interface LoggedEvent {
  event: DomainEvent;
  seq: number;
  subject: string;
}

/**
 * Each live session's state as folded through the last committed event: the projector follows
 * every event in order, so it can fold a session's next event onto what it already has instead
 * of reading the session's history back. A session it does not hold (first seen after a
 * restart, evicted, or ended) is folded from its history in `events`, which gives the same state.
 * The owner drops everything when its transaction fails or another writer moved the checkpoint.
 */
export class SessionStates {
  private readonly states = new Map<string, SessionState>();

  constructor(private readonly max = 10_000) {}

  get(subject: string): SessionState | undefined {
    return this.states.get(subject);
  }

  /** After a commit: the states it wrote. Ended sessions are dropped; the oldest beyond `max` too. */
  commit(folded: ReadonlyMap<string, SessionState>): void {
    for (const [subject, state] of folded) {
      this.states.delete(subject);
      if (state.kind !== 'ended') this.states.set(subject, state);
    }
    for (const subject of this.states.keys()) {
      if (this.states.size <= this.max) break;
      this.states.delete(subject);
    }
  }

  clear(): void {
    this.states.clear();
  }
}

/**
 * Applies a run of events, in stream order, to the read model inside the caller's transaction:
 * each is stored in `events`, the others (projects, keys, nodes) are applied as they come, and
 * each session they touch gets one row write, after them, with its state folded through the run.
 * A session row therefore always equals the domain's fold of the log, whether its events came
 * one per batch or all in one: replaying the stream gives the same rows. Returns the sessions'
 * new states, for the caller to `commit` to `states` once the transaction has.
 */
export async function applyToReadModel(trx: Transaction<Database>, events: readonly LoggedEvent[], states: SessionStates): Promise<Map<string, SessionState>> {
  const folded = new Map<string, SessionState>();
  if (events.length === 0) return folded;
  await repositories(trx).events.appendMany(events);
  const fromHistory = new Set<string>();
  for (const { event, subject, seq } of events) {
    if (!sessionAggregate.accepts(event)) {
      await applyOther(trx, event);
      continue;
    }
    if (fromHistory.has(subject)) continue;
    const known = folded.get(subject) ?? states.get(subject);
    // Not held: its history in `events` (this run's rows included) is folded once, below.
    if (!known) fromHistory.add(subject);
    else folded.set(subject, evolveSession(known, event, seq));
  }
  for (const subject of fromHistory) folded.set(subject, await foldHistory(trx, subject));
  for (const state of folded.values()) {
    const snapshot = toSnapshot(state);
    if (snapshot) await repositories(trx).sessions.upsert(snapshot);
  }
  return folded;
}

/**
 * Folds a run of session events entirely from memory, when it can: every session it touches is
 * held in `states`, or starts in the run (SessionRequested is always a session's first event: the
 * scheduler appends it only to an empty subject). Undefined when it cannot (another kind of
 * event, or a session only its history in `events` knows).
 */
export function foldInMemory(events: readonly LoggedEvent[], states: SessionStates): Map<string, SessionState> | undefined {
  const folded = new Map<string, SessionState>();
  for (const { event, subject, seq } of events) {
    if (!sessionAggregate.accepts(event)) return undefined;
    const known = folded.get(subject) ?? states.get(subject) ?? (event.type === 'SessionRequested' ? initialSessionState : undefined);
    if (!known) return undefined;
    folded.set(subject, evolveSession(known, event, seq));
  }
  return folded;
}

async function foldHistory(trx: Transaction<Database>, subject: string): Promise<SessionState> {
  const history = await trx.selectFrom('events').select(['seq', 'type', 'id', 'occurred_at', 'data', 'metadata']).where('subject', '=', subject).orderBy('seq').execute();
  const events = history.map((row) => ({
    seq: Number(row.seq),
    event: sessionEventSchema.parse({ id: row.id, type: row.type, version: 1, occurredAt: new Date(row.occurred_at).toISOString(), data: row.data, metadata: row.metadata }),
  }));
  return foldSession(events);
}

async function applyOther(trx: Transaction<Database>, event: DomainEvent): Promise<void> {
  const repos = repositories(trx);
  switch (event.type) {
    case 'SessionRequested':
    case 'SessionScheduled':
    case 'SessionStarted':
    case 'ClientConnected':
    case 'ClientDisconnected':
    case 'SessionReleaseRequested':
    case 'SessionEnded':
      return;
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
