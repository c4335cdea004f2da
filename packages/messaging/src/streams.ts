import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy } from '@nats-io/jetstream';
import { EVENTS_STREAM, EVENTS_WILDCARD } from '@hangar/contracts';
import type { NatsConnection } from '@nats-io/transport-node';

const NANOS_PER_MS = 1_000_000;

export interface EventStreamOptions {
  /** How long JetStream keeps events; Postgres keeps the permanent history (`events` table). */
  maxAgeMs?: number;
  replicas?: number;
}

/**
 * Creates or updates the domain event stream. File storage; `Nats-Msg-Id` dedupe over two
 * minutes makes appends idempotent across retries; direct get lets readers fold one session's
 * events without creating a consumer.
 */
export async function ensureEventStream(nc: NatsConnection, options: EventStreamOptions = {}): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: EVENTS_STREAM,
    subjects: [EVENTS_WILDCARD],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: (options.maxAgeMs ?? 7 * 24 * 3600 * 1000) * NANOS_PER_MS,
    duplicate_window: 120_000 * NANOS_PER_MS,
    num_replicas: options.replicas ?? 1,
    allow_direct: true,
  };
  try {
    await jsm.streams.info(EVENTS_STREAM);
    await jsm.streams.update(EVENTS_STREAM, config);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(config);
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}
