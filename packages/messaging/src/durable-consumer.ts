import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, domainEventSchema, type DomainEvent } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';

export interface DurableConsumerOptions {
  durable: string;
  filterSubject: string;
  /** Applies one event; the message is acked only after this resolves (i.e. after commit). */
  handle: (event: DomainEvent, seq: number, msg: JsMsg) => Promise<void>;
  logger: Logger;
  /** Redelivery delay after a failed apply. */
  retryDelayMs?: number;
  ackWaitMs?: number;
}

/**
 * A durable pull consumer with explicit acks, processed one message at a time in stream order.
 * Acking after the handler's transaction commits gives at-least-once delivery; handlers make the
 * redelivery harmless (the projector's checkpoint).
 */
export async function runDurableConsumer(nc: NatsConnection, options: DurableConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers
    .add(EVENTS_STREAM, {
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: options.filterSubject,
      ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
      max_ack_pending: 1,
    })
    .catch(async (err: unknown) => {
      // Already there from a previous run: keep its position.
      if (!(err instanceof Error) || !/already|exist/i.test(err.message)) throw err;
    });
  const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, options.durable);
  const messages = await consumer.consume({ max_messages: 256 });
  const done = (async () => {
    for await (const msg of messages) {
      try {
        const event = domainEventSchema.parse(msg.json());
        await options.handle(event, msg.seq, msg);
        msg.ack();
      } catch (err) {
        options.logger.error({ err, seq: msg.seq, subject: msg.subject }, 'event handling failed; will be redelivered');
        msg.nak(options.retryDelayMs ?? 500);
      }
    }
  })();
  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}
