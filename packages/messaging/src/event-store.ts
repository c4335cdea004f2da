import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, domainEventSchema, type DomainEvent } from '@hangar/contracts';

const WRONG_LAST_SEQUENCE = 10071;
const WRONG_LAST_MSG_ID = 10070;

const isWrongLastMsgId = (err: unknown) => err instanceof JetStreamApiError && err.code === WRONG_LAST_MSG_ID;
const conflictOr = (subject: string, err: unknown) =>
  err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE ? new ConcurrencyConflict(subject) : err;

export interface StoredEvent<E extends DomainEvent = DomainEvent> {
  readonly event: E;
  readonly seq: number;
}

export class ConcurrencyConflict extends Error {
  constructor(readonly subject: string) {
    super(`concurrent append to ${subject}`);
  }
}

/**
 * The domain event log. Appends are idempotent (`Nats-Msg-Id` = event id) and, given an expected
 * version, optimistic: JetStream refuses the write when another writer appended to the same
 * subject first (`Nats-Expected-Last-Subject-Sequence`).
 */
export class EventStore {
  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  static async create(nc: NatsConnection): Promise<EventStore> {
    return new EventStore(jetstream(nc), await jetstreamManager(nc));
  }

  /**
   * Appends events to one subject in order. `expectedVersion` is the stream sequence of the last
   * event the caller folded (0: the subject must be empty). Returns each event's stream sequence.
   *
   * Several events go out in one round trip: the first with the subject's expected sequence, each
   * next one expecting the previous one to be the stream's last message (`Nats-Expected-Last-
   * Msg-Id`), so none can land unless all before it did. Another writer's message in between
   * fails that expectation; the rest are then appended one by one on the subject's sequence.
   */
  async append(subject: string, events: readonly DomainEvent[], expectedVersion?: number): Promise<number[]> {
    if (events.length === 0) return [];
    const publish = (event: DomainEvent, expect: { lastSubjectSequence?: number; lastMsgID?: string }) => {
      const h = headers();
      h.set('Hangar-Event-Type', event.type);
      return this.js.publish(subject, JSON.stringify(event), { msgID: event.id, headers: h, ...(Object.keys(expect).length ? { expect } : {}) });
    };
    const settled = await Promise.allSettled(
      events.map((event, i) =>
        i === 0
          ? publish(event, expectedVersion === undefined ? {} : { lastSubjectSequence: expectedVersion })
          : publish(event, { lastMsgID: events[i - 1]!.id }),
      ),
    );
    const seqs: number[] = [];
    for (const [i, result] of settled.entries()) {
      if (result.status === 'fulfilled') {
        seqs.push(result.value.seq);
        continue;
      }
      if (i === 0 || !isWrongLastMsgId(result.reason)) throw conflictOr(subject, result.reason);
      // Interleaved with another writer: the rest, one at a time, each on the one before it.
      for (const event of events.slice(i)) {
        const ack = await publish(event, { lastSubjectSequence: seqs.at(-1)! }).catch((err: unknown) => {
          throw conflictOr(subject, err);
        });
        seqs.push(ack.seq);
      }
      break;
    }
    return seqs;
  }

  /** Sequence of the last event on a subject, 0 when there is none. */
  async lastVersion(subject: string): Promise<number> {
    const last = await this.jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: subject }).catch(notFoundAsNull);
    return last?.seq ?? 0;
  }

  /**
   * Every event of one subject, in order. Reads through direct get, hopping from one of the
   * subject's messages to the next; bounded by the last sequence asked of the stream leader, so
   * the answer includes every append acknowledged before the call.
   */
  async read(subject: string, afterVersion = 0): Promise<StoredEvent[]> {
    const last = await this.lastVersion(subject);
    const out: StoredEvent[] = [];
    let seq = afterVersion + 1;
    while (seq <= last) {
      const msg = await this.jsm.direct.getMessage(EVENTS_STREAM, { seq, next_by_subj: subject }).catch(notFoundAsNull);
      if (!msg || msg.seq > last) break;
      out.push({ event: domainEventSchema.parse(msg.json()), seq: msg.seq });
      seq = msg.seq + 1;
    }
    return out;
  }

  /** The stream's last sequence overall: where a replay that starts now is caught up. */
  async streamLastSequence(): Promise<number> {
    const info = await this.jsm.streams.info(EVENTS_STREAM);
    return info.state.last_seq;
  }
}

function notFoundAsNull(err: unknown): null {
  if (err instanceof Error && /no message found|not found/i.test(err.message)) return null;
  throw err;
}
