import { DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { addStream, streamInfo, withLeader } from './streams.js';
import {
  TELEMETRY_MAX_MESSAGE_BYTES,
  TELEMETRY_STREAM,
  TELEMETRY_WILDCARD,
  telemetryMessageSchema,
  telemetrySubjects,
  type TelemetryKind,
  type TelemetryMessage,
} from '@hangar/contracts';

const NANOS_PER_MS = 1_000_000;

export interface TelemetryStreamOptions {
  /** How long a session's telemetry waits for the archiver at most (it purges it once archived). Default 7 days. */
  maxAgeMs?: number;
  /** The stream's whole size; past it the oldest messages go (a session's logs then start late: the archiver says so). Default 1 GiB. */
  maxBytes?: number;
  replicas?: number;
}

/**
 * The telemetry stream (contracts/telemetry.ts): its own retention and limits, so a busy page's
 * recording can never crowd the domain log. Created or updated by whoever needs it; replicas only
 * go up, as for the event stream.
 */
export async function ensureTelemetryStream(nc: NatsConnection, options: TelemetryStreamOptions = {}): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const wanted = {
    name: TELEMETRY_STREAM,
    subjects: [TELEMETRY_WILDCARD],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: (options.maxAgeMs ?? 7 * 24 * 3600 * 1000) * NANOS_PER_MS,
    max_bytes: options.maxBytes ?? 1024 * 1024 * 1024,
    max_msg_size: TELEMETRY_MAX_MESSAGE_BYTES,
    duplicate_window: 60_000 * NANOS_PER_MS,
  };
  let existing: StreamInfo;
  try {
    existing = await streamInfo(jsm, TELEMETRY_STREAM);
  } catch (err) {
    if (!(err instanceof Error && /not found/i.test(err.message))) throw err;
    const replicas = options.replicas ?? 1;
    const created = await addStream(jsm, { ...wanted, num_replicas: replicas });
    if (replicas > 1) await withLeader(jsm, created);
    return;
  }
  const replicas = Math.max(existing.config.num_replicas, options.replicas ?? 1);
  const differs = (Object.keys(wanted) as (keyof typeof wanted)[]).some((k) => JSON.stringify(existing.config[k]) !== JSON.stringify(wanted[k]));
  if (!differs && replicas === existing.config.num_replicas) return;
  const updated = await jsm.streams.update(TELEMETRY_STREAM, { ...wanted, num_replicas: replicas });
  if (replicas > existing.config.num_replicas) await withLeader(jsm, updated);
}

export interface StoredTelemetry {
  readonly seq: number;
  readonly message: TelemetryMessage;
}

/**
 * Publish, read back and purge one session's telemetry. Reads are for the gateway (a running
 * session's logs) and the archiver (an ended one's); both read a subject from its start.
 */
export class TelemetryLog {
  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  static async create(nc: NatsConnection): Promise<TelemetryLog> {
    return new TelemetryLog(jetstream(nc), await jetstreamManager(nc));
  }

  /** `msgId` makes a retried publish land once (within the stream's duplicate window). */
  async publish(sessionId: string, kind: TelemetryKind, message: TelemetryMessage, msgId?: string): Promise<number> {
    const ack = await this.js.publish(telemetrySubjects.of(sessionId, kind), JSON.stringify(message), msgId ? { msgID: msgId } : {});
    return ack.seq;
  }

  /**
   * Every message of one session and kind in the stream now, in publish order. A message that
   * does not parse (an older node's, a foreign publisher's) is skipped, not fatal.
   */
  async read(sessionId: string, kind: TelemetryKind, options: { timeoutMs?: number } = {}): Promise<StoredTelemetry[]> {
    const subject = telemetrySubjects.of(sessionId, kind);
    let last: number;
    try {
      last = (await this.jsm.streams.getMessage(TELEMETRY_STREAM, { last_by_subj: subject }))?.seq ?? 0;
    } catch (err) {
      if (err instanceof Error && /no message found|not found/i.test(err.message)) return [];
      throw err;
    }
    if (!last) return [];
    const consumer = await this.js.consumers.get(TELEMETRY_STREAM, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const out: StoredTelemetry[] = [];
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    try {
      while (Date.now() < deadline) {
        const batch = await consumer.fetch({ max_messages: 256, expires: 1_000 });
        let seen = 0;
        for await (const m of batch) {
          seen++;
          const parsed = telemetryMessageSchema.safeParse(safeJson(m.string()));
          if (parsed.success) out.push({ seq: m.seq, message: parsed.data });
          if (m.seq >= last) return out;
        }
        if (seen === 0) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    // The last message was purged meanwhile (archived): what was read is all there is.
    return out;
  }

  /** Drops every kind of one session's telemetry (the archiver, once its artifacts are stored). */
  async purge(sessionId: string): Promise<void> {
    await this.jsm.streams.purge(TELEMETRY_STREAM, { filter: telemetrySubjects.session(sessionId) });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

