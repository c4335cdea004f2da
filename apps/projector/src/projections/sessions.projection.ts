import { sessionEventSchema } from '@hangar/contracts';
import type { Repositories } from '@hangar/db';
import { evolveSession, foldSession, initialSessionState, sessionAggregate, toSnapshot, type SessionState } from '@hangar/domain';
import type { LoggedEvent } from './read-model.js';

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
 * `sessions`: folds a run of session events (stream order, already stored in `events`) onto the
 * states held or, for a session not held, onto its history in `events` (this run's rows
 * included), and writes each touched session's row once. Returns the new states.
 */
export async function projectSessions(repos: Repositories, events: readonly LoggedEvent[], states: SessionStates): Promise<Map<string, SessionState>> {
  const folded = new Map<string, SessionState>();
  const fromHistory = new Set<string>();
  for (const { event, subject, seq } of events) {
    if (!sessionAggregate.accepts(event)) continue;
    if (fromHistory.has(subject)) continue;
    const known = folded.get(subject) ?? states.get(subject);
    // Not held: its history in `events` (this run's rows included) is folded once, below.
    if (!known) fromHistory.add(subject);
    else folded.set(subject, evolveSession(known, event, seq));
  }
  for (const subject of fromHistory) folded.set(subject, await foldHistory(repos, subject));
  for (const state of folded.values()) {
    const snapshot = toSnapshot(state);
    if (snapshot) await repos.sessions.upsert(snapshot);
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

async function foldHistory(repos: Repositories, subject: string): Promise<SessionState> {
  const history = await repos.events.historyOf(subject);
  return foldSession(history.map(({ seq, ...event }) => ({ seq, event: sessionEventSchema.parse({ ...event, version: 1 }) })));
}
