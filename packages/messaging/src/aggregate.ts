import type { DomainEvent } from '@hangar/contracts';
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
