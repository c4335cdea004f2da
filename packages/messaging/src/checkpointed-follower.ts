import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, domainEventSchema, type DomainEvent } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';

/** Each pull's lifetime; its idle heartbeat is half of it, and two missed ones are reported. */
const PULL_EXPIRES_MS = 4_000;

/** One event of the log as a follower sees it. */
export interface FollowedEvent {
  event: DomainEvent;
  seq: number;
  subject: string;
}

export interface CheckpointedFollowerOptions {
  filterSubject: string;
  /** The stream sequence of the last event the caller has applied (0: none), from its own store. */
  checkpoint: () => Promise<number>;
  /**
   * Applies events in stream order, all or none; the caller records the last one's `seq` as its
   * checkpoint in the same transaction. A batch holds every event delivered while the previous
   * batch was being applied (one, when the follower keeps up), at most `maxBatch`.
   */
  handle: (batch: FollowedEvent[]) => Promise<void>;
  logger: Logger;
  /** Largest batch handed to `handle`. */
  maxBatch?: number;
  /** Wait before following again after a failed apply or a broken subscription. */
  retryDelayMs?: number;
  /** A durable consumer an earlier version used for the same work, deleted when found. */
  retiredDurable?: string;
}

/**
 * Follows the event log from the caller's own checkpoint, in stream order, with nothing to
 * acknowledge: an ordered consumer (server-side ephemeral, gap-free, its deliveries pipelined)
 * started just after the checkpoint the caller keeps in its own store. That checkpoint, committed
 * with the caller's writes, is the one position that counts:
 *
 * - an apply that fails (its database is away) is never skipped: following stops and starts
 *   again from the checkpoint after a pause, so the same events come next;
 * - a NATS reconnect, or a subscription that goes silent (heartbeats missed: seen once after a
 *   nats-server restart) or loses its consumer, is handled the same way.
 *
 * Delivery is therefore at-least-once across restarts and exactly-once in effect, without the
 * acknowledgement round trip per event a durable consumer with one message in flight costs.
 * Events that arrive while a batch is being applied wait and go together in the next one, so a
 * follower that falls behind (a burst, a starved CPU) catches up with one transaction per batch
 * instead of one per event.
 */
export async function runCheckpointedFollower(nc: NatsConnection, options: CheckpointedFollowerOptions): Promise<{ stop(): Promise<void> }> {
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxBatch = options.maxBatch ?? 256;
  if (options.retiredDurable) {
    const jsm = await jetstreamManager(nc);
    if (await jsm.consumers.delete(EVENTS_STREAM, options.retiredDurable).catch(() => false)) {
      options.logger.info({ durable: options.retiredDurable }, 'retired durable consumer deleted');
    }
  }

  let stopped = false;
  let current: ConsumerMessages | undefined;
  const restart = (why: string) => {
    if (stopped || !current) return;
    options.logger.warn({ why }, 'following the event log again from the checkpoint');
    current.stop();
  };
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') restart('nats reconnected');
  })();

  const done = (async () => {
    while (!stopped) {
      try {
        const from = await options.checkpoint();
        const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, {
          filter_subjects: options.filterSubject,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: from + 1,
        });
        // Short pulls, so missed heartbeats show within seconds: on a cluster, the server holding
        // this (single-replica) consumer can die while the connection, to another server, stays
        // up; with the default 30 s pulls the projector then sat still for about a minute
        // (nats-cluster.e2e.spec.ts).
        const messages = await consumer.consume({ max_messages: maxBatch, expires: PULL_EXPIRES_MS });
        current = messages;
        void (async () => {
          for await (const s of messages.status()) {
            // One notice means two heartbeats missed already: the consumer is gone or unreachable.
            if (s.type === 'heartbeats_missed') restart('heartbeats missed');
            if (s.type === 'consumer_not_found' || s.type === 'consumer_deleted' || s.type === 'stream_not_found') restart(s.type);
          }
        })();
        await applyInBatches(messages, maxBatch, () => stopped, async (batch) => {
          try {
            await options.handle(batch.map((msg) => ({ event: domainEventSchema.parse(msg.json()), seq: msg.seq, subject: msg.subject })));
            return true;
          } catch (err) {
            options.logger.error({ err, from: batch[0]!.seq, to: batch.at(-1)!.seq }, 'event handling failed; following again from the checkpoint');
            messages.stop();
            return false;
          }
        });
      } catch (err) {
        if (!stopped) options.logger.warn({ err }, 'following the event log failed; retrying');
      }
      current = undefined;
      if (!stopped) await new Promise((r) => setTimeout(r, retryDelayMs));
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

/**
 * Reads deliveries into a queue while `apply` works on what was queued before, and hands it the
 * whole queue (up to `maxBatch`) each time. Returns once the deliveries end, or `apply` fails.
 */
async function applyInBatches(messages: AsyncIterable<JsMsg>, maxBatch: number, stopped: () => boolean, apply: (batch: JsMsg[]) => Promise<boolean>): Promise<void> {
  const queue: JsMsg[] = [];
  let ended = false;
  let wakeApplier: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  const reading = (async () => {
    try {
      for await (const msg of messages) {
        if (ended) break;
        queue.push(msg);
        wakeApplier?.();
        while (queue.length >= maxBatch && !ended) await new Promise<void>((r) => (wakeReader = r));
      }
    } finally {
      ended = true;
      wakeApplier?.();
    }
  })();
  while (!stopped()) {
    if (queue.length === 0) {
      if (ended) break;
      await new Promise<void>((r) => (wakeApplier = r));
      wakeApplier = undefined;
      continue;
    }
    const batch = queue.splice(0, maxBatch);
    wakeReader?.();
    if (!(await apply(batch))) break;
  }
  ended = true;
  wakeReader?.();
  await reading;
}
