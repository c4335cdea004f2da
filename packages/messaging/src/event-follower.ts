import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, domainEventSchema, type DomainEvent } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';

/**
 * Replays the event log from the start, then keeps following it live: how a process (re)builds
 * its in-memory state. `caughtUp` resolves once everything that existed at the start has been
 * handled. An ordered consumer leaves no server-side state behind. One filter subject: several
 * need nats-server 2.10, and Debian 12 ships 2.9.
 */
export async function followEvents(
  nc: NatsConnection,
  filterSubject: string,
  handle: (event: DomainEvent, seq: number) => void,
  logger: Logger,
): Promise<{ caughtUp: Promise<void>; stop(): Promise<void> }> {
  const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, { filter_subjects: filterSubject, deliver_policy: DeliverPolicy.All });
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  // Short pulls: missed heartbeats show within seconds, and the ordered consumer then re-creates
  // itself once its server answers that it is gone (with 30 s pulls a consumer lost with its
  // server on a cluster went unnoticed for a minute; nats-cluster.e2e.spec.ts).
  const messages = await consumer.consume({ expires: 4_000 });
  const done = (async () => {
    for await (const msg of messages) {
      try {
        handle(domainEventSchema.parse(msg.json()), msg.seq);
      } catch (err) {
        logger.error({ err, seq: msg.seq, subject: msg.subject }, 'could not apply event');
      }
      if (msg.info.pending === 0) markCaughtUp();
    }
  })();
  // A log with nothing for these subjects delivers nothing at all; ask the consumer instead.
  const info = await consumer.info(false);
  if (info.num_pending === 0 && info.delivered.stream_seq === 0) markCaughtUp();
  return {
    caughtUp,
    async stop() {
      await messages.close();
      await done;
    },
  };
}
