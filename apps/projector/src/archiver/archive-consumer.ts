import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, domainEventSchema, subjects } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';
import { ArchivingStopped, type SessionArchiver } from './session-archiver.js';

/** The archiver's durable consumer on HANGAR_EVENTS; shared by projector replicas as a work queue. */
export const ARCHIVER_DURABLE = 'hangar-archiver';

const NANOS_PER_MS = 1_000_000;
/**
 * How long a delivery stays with a consumer that does not answer: a projector killed mid-archive
 * has its sessions redelivered this long after. `working()` keeps a live one's deliveries.
 */
const ACK_WAIT_MS = 30_000;
const WORKING_EVERY_MS = 10_000;

/**
 * Follows session events through a durable consumer with explicit acks, and archives each
 * session whose SessionEnded it sees. Why durable here, when the projector's read model follows
 * from its own checkpoint: archiving is per session, slow (it waits for the node's `end`) and
 * runs several at once, so there is no single position to commit; the server keeps, per event,
 * what was done. A SessionEnded is acked only once its artifacts are recorded and its telemetry
 * purged, so a projector stopped (or killed) meanwhile gets it again after its restart, and a
 * session that ended while no projector ran is archived when one comes back. Any other event is
 * acked at once. A redelivery is harmless: SessionArchiver skips what is recorded already.
 *
 * Created with DeliverPolicy.New: sessions that ended before the archiver first ran have no
 * telemetry to archive.
 */
export async function runArchiveConsumer(nc: NatsConnection, archiver: SessionArchiver, logger: Logger, options: { retryDelayMs?: number } = {}): Promise<{ stop(): Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  // Also on every resumption: a consumer deleted by hand (or lost with a stream restored from a
  // backup) comes back rather than leaving the archiver retrying a name that is gone.
  const ensureDurable = async () => {
    const exists = await jsm.consumers.info(EVENTS_STREAM, ARCHIVER_DURABLE).then(
      () => true,
      () => false,
    );
    if (exists) return;
    await jsm.consumers.add(EVENTS_STREAM, {
      durable_name: ARCHIVER_DURABLE,
      filter_subject: subjects.allSessionEvents,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: ACK_WAIT_MS * NANOS_PER_MS,
      max_ack_pending: 1_000,
      max_deliver: -1,
    });
  };
  await ensureDurable();
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const inFlight = new Map<string, Promise<void>>();

  let stopped = false;
  let current: ConsumerMessages | undefined;

  const archive = async (msg: JsMsg, sessionId: string, meta: { correlationId: string; causationId: string }) => {
    const working = setInterval(() => msg.working(), WORKING_EVERY_MS);
    try {
      const outcome = await archiver.archive(sessionId, meta);
      if (outcome === 'unknown-session') logger.warn({ sessionId }, 'SessionEnded for a session without SessionRequested; nothing to archive');
      msg.ack();
    } catch (err) {
      // Stopping: handed back at once, so the next run (or another replica) takes it without
      // waiting out the ack wait.
      if (err instanceof ArchivingStopped) return void msg.nak();
      logger.error({ err, sessionId }, 'archiving failed; it is retried');
      msg.nak(retryDelayMs * 5);
    } finally {
      clearInterval(working);
    }
  };

  const done = (async () => {
    while (!stopped) {
      try {
        await ensureDurable();
        const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, ARCHIVER_DURABLE);
        const messages = await consumer.consume({ max_messages: 64, expires: 4_000 });
        current = messages;
        void (async () => {
          for await (const status of messages.status()) {
            if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found' || status.type === 'stream_not_found') messages.stop();
          }
        })();
        for await (const msg of messages) {
          if (stopped) break;
          const parsed = domainEventSchema.safeParse(safeJson(msg.string()));
          if (!parsed.success || parsed.data.type !== 'SessionEnded') {
            msg.ack();
            continue;
          }
          const event = parsed.data;
          const sessionId = event.data.sessionId;
          // One archiving per session at a time: a redelivery while the first still runs waits for it.
          const before = inFlight.get(sessionId) ?? Promise.resolve();
          const run = before.then(() => archive(msg, sessionId, { correlationId: event.metadata.correlationId, causationId: event.id }));
          inFlight.set(sessionId, run);
          void run.finally(() => {
            if (inFlight.get(sessionId) === run) inFlight.delete(sessionId);
          });
        }
      } catch (err) {
        if (!stopped) logger.warn({ err }, 'following session events for the archiver failed; retrying');
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
      // What is archiving now finishes (or, past the wait, gives up unacked): never half a put.
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
