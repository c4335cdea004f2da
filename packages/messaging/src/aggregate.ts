import { randomUUID } from 'node:crypto';
import type { DomainEvent, EventMetadata } from '@hangar/contracts';
import { ConcurrencyConflict, type EventStore, type StoredEvent } from './event-store.js';

export interface Aggregate<S, E extends DomainEvent> {
  initial: S;
  /** The event types this aggregate folds; anything else on its subject is ignored. */
  accepts(event: DomainEvent): event is E;
  evolve(state: S, event: E, version: number): S;
  version(state: S): number;
}

export function fold<S, E extends DomainEvent>(aggregate: Aggregate<S, E>, events: readonly StoredEvent[], from = aggregate.initial): S {
  let state = from;
  for (const { event, seq } of events) if (aggregate.accepts(event)) state = aggregate.evolve(state, event, seq);
  return state;
}

export async function load<S, E extends DomainEvent>(store: EventStore, subject: string, aggregate: Aggregate<S, E>): Promise<S> {
  return fold(aggregate, await store.read(subject));
}

/**
 * Load → decide → append with the loaded version, retried when another writer got in first.
 * `decide` runs again on the fresher state, so a racing writer's events are respected (e.g. a
 * release and a timeout both ending a session: the second decides nothing).
 */
export async function handleCommand<S, E extends DomainEvent>(
  store: EventStore,
  subject: string,
  aggregate: Aggregate<S, E>,
  decide: (state: S) => E[],
  options: { attempts?: number; state?: S } = {},
): Promise<{ state: S; events: E[]; appended: StoredEvent<E>[]; base: number }> {
  const attempts = options.attempts ?? 8;
  let state: S = options.state !== undefined ? options.state : await load(store, subject, aggregate);
  for (let attempt = 1; ; attempt++) {
    const events = decide(state);
    const base = aggregate.version(state);
    if (events.length === 0) return { state, events, appended: [], base };
    try {
      const seqs = await store.append(subject, events, base);
      const appended = events.map((event, i) => ({ event, seq: seqs[i]! }));
      return { state: fold(aggregate, appended, state), events, appended, base };
    } catch (err) {
      if (!(err instanceof ConcurrencyConflict) || attempt >= attempts) throw err;
      // Only what others appended since: fewer round trips than reading the subject again.
      state = fold(aggregate, await store.read(subject, aggregate.version(state)), state);
    }
  }
}

/**
 * What a decision gets from the side with IO, so that deciding stays pure: the metadata, the
 * time, and the id of the event decided (each command decides at most one).
 */
export interface DecisionContext {
  readonly meta: EventMetadata;
  readonly now: Date;
  readonly eventId: string;
}

/** An aggregate that also says where its events live and how it decides (e.g. @hangar/domain's sessionAggregate). */
export interface Decider<S, E extends DomainEvent, C> extends Aggregate<S, E> {
  subject(id: string): string;
  decide(state: S, command: C, context: DecisionContext): E[];
}

export const loadAggregate = <S, E extends DomainEvent>(store: EventStore, decider: Decider<S, E, never>, id: string): Promise<S> =>
  load(store, decider.subject(id), decider);

/** Runs one command against the log with optimistic concurrency; `state`: what the caller already folded. */
export function executeCommand<S, E extends DomainEvent, C>(store: EventStore, decider: Decider<S, E, C>, id: string, command: C, meta: EventMetadata, state?: S) {
  return executeCommands(store, decider, id, [command], meta, state);
}

/**
 * Several commands decided one after the other (each on the state the previous one's events
 * lead to) and appended together: one round trip for all their events, in order (EventStore.append).
 * The time and event ids are taken here, afresh on each attempt after a conflict.
 */
export function executeCommands<S, E extends DomainEvent, C>(
  store: EventStore,
  decider: Decider<S, E, C>,
  id: string,
  commands: readonly C[],
  meta: EventMetadata,
  state?: S,
) {
  const decide = (from: S) => {
    const events: E[] = [];
    let s = from;
    for (const command of commands) {
      const decided = decider.decide(s, command, { meta, now: new Date(), eventId: randomUUID() });
      // The sequence is not known before the append; deciding needs the state's shape, not its version.
      for (const event of decided) s = decider.evolve(s, event, decider.version(s));
      events.push(...decided);
    }
    return events;
  };
  return handleCommand(store, decider.subject(id), decider, decide, state !== undefined ? { state } : {});
}
