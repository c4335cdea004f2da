import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
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
 *
 * The pull loop is rebuilt after every NATS reconnect and whenever the server reports the
 * consumer missing or silent: seen in tests, a pull subscription that outlived a nats-server
 * restart could stay quiet for good, and the projection stalled while everything else recovered.
 */
export async function runDurableConsumer(nc: NatsConnection, options: DurableConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  const ensure = () =>
    jsm.consumers
      .add(EVENTS_STREAM, {
        durable_name: options.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: options.filterSubject,
        ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
        max_ack_pending: 1,
      })
      .catch((err: unknown) => {
        // Already there from a previous run: keep its position.
        if (!(err instanceof Error) || !/already|exist/i.test(err.message)) throw err;
      });
  await ensure();

  let stopped = false;
  let current: ConsumerMessages | undefined;
  const restart = (why: string) => {
    if (stopped || !current) return;
    options.logger.warn({ durable: options.durable, why }, 'rebuilding the event consumer');
    current.stop();
  };
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') restart('nats reconnected');
  })();

  const done = (async () => {
    while (!stopped) {
      try {
        await ensure();
        const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, options.durable);
        const messages = await consumer.consume({ max_messages: 256 });
        current = messages;
        void (async () => {
          let missed = 0;
          for await (const s of messages.status()) {
            if (s.type === 'heartbeats_missed' && ++missed >= 2) restart('heartbeats missed');
            if (s.type === 'consumer_not_found' || s.type === 'consumer_deleted' || s.type === 'stream_not_found') restart(s.type);
            if (s.type === 'next') missed = 0;
          }
        })();
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
      } catch (err) {
        if (!stopped) options.logger.warn({ err, durable: options.durable }, 'event consumer failed; retrying');
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await current?.close();
      await done;
    },
  };
}
