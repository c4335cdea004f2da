import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type JetStreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import { EVENTS_STREAM, EVENTS_WILDCARD } from '@hangar/contracts';
import type { NatsConnection } from '@nats-io/transport-node';

const NANOS_PER_MS = 1_000_000;

export interface EventStreamOptions {
  /** How long JetStream keeps events; Postgres keeps the permanent history (`events` table). */
  maxAgeMs?: number;
  /**
   * Replicas of a stream this call creates, and the least an existing one is raised to; an
   * existing stream with more keeps them. Default 1.
   */
  replicas?: number;
}

/** The settings every service agrees on; `num_replicas` is decided against what exists. */
function wantedConfig(options: EventStreamOptions) {
  return {
    name: EVENTS_STREAM,
    subjects: [EVENTS_WILDCARD],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: (options.maxAgeMs ?? 7 * 24 * 3600 * 1000) * NANOS_PER_MS,
    duplicate_window: 120_000 * NANOS_PER_MS,
    allow_direct: true,
  };
}

/**
 * Creates or updates the domain event stream. File storage; `Nats-Msg-Id` dedupe over two
 * minutes makes appends idempotent across retries; direct get lets readers fold one session's
 * events without creating a consumer.
 *
 * Replicas only ever go up. Every service calls this at start, and one started with the default
 * (a standby, an old image, a one-off seed) used to reset a three-replica stream to one, which
 * silently gave up the cluster's durability. An update is sent only when something differs, so a
 * service restarting while a server of the cluster is down does not depend on a config change
 * going through.
 */
export async function ensureEventStream(nc: NatsConnection, options: EventStreamOptions = {}): Promise<StreamInfo> {
  const jsm = await jetstreamManager(nc);
  const wanted = wantedConfig(options);
  const replicas = options.replicas ?? 1;
  // A lone server takes num_replicas 3 without complaint (2.9 stores it, keeping one copy): a
  // setting that promises more copies than exist fails the start instead.
  if (replicas > 1 && !nc.info?.cluster) throw replicaError(replicas, 'the server is not part of a cluster');
  let existing: StreamInfo;
  try {
    existing = await streamInfo(jsm, EVENTS_STREAM);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const created = await withReplicaHint(replicas, addStream(jsm, { ...wanted, num_replicas: replicas }));
    return replicas > 1 ? withLeader(jsm, created) : created;
  }
  const config = { ...wanted, num_replicas: Math.max(existing.config.num_replicas, replicas) };
  if (!differs(existing.config, config)) return existing;
  const updated = await withReplicaHint(config.num_replicas, jsm.streams.update(EVENTS_STREAM, config));
  return config.num_replicas > existing.config.num_replicas ? withLeader(jsm, updated) : updated;
}

/**
 * A stream just raised to more replicas has a new Raft group that elects its leader a moment
 * later; until it has one, nats-server 2.9 answers nothing to the next update (it timed out after
 * 5 s in streams.int.spec.ts). Returning only once the leader is there hands every caller a
 * stream that takes requests.
 */
export async function withLeader(jsm: JetStreamManager, info: StreamInfo, timeoutMs = 10_000): Promise<StreamInfo> {
  const deadline = Date.now() + timeoutMs;
  const name = info.config.name;
  while (!info.cluster?.leader) {
    if (Date.now() > deadline) throw new Error(`the stream ${name} has no leader ${timeoutMs} ms after its replicas were raised; is every server of the cluster up?`);
    await new Promise((r) => setTimeout(r, 100));
    info = await streamInfo(jsm, name, deadline);
  }
  return info;
}

/**
 * Creates a stream. On a cluster under load the create can go unanswered (its request times out
 * while the meta leader works), or another service can create it first ("already in use"): either
 * way the stream is then fetched, and created again only if it still does not exist, until
 * `deadline`. The cluster e2e under the full suite saw the bare create time out.
 */
export async function addStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }, deadline = Date.now() + 15_000): Promise<StreamInfo> {
  for (;;) {
    try {
      return await jsm.streams.add(config);
    } catch (err) {
      const retryable = err instanceof Error && (err.name === 'TimeoutError' || /already in use/i.test(err.message));
      if (!retryable || Date.now() > deadline) throw err;
    }
    try {
      return await streamInfo(jsm, config.name, deadline);
    } catch (err) {
      if (!isNotFound(err) || Date.now() > deadline) throw err;
    }
  }
}

/**
 * A stream's info. While the stream's Raft group elects its leader (another service has just
 * created or raised it: every service ensures the streams it uses as it starts), the request
 * goes unanswered and times out; it is asked again until `deadline`. "Not found" and any other
 * error are the caller's.
 */
export async function streamInfo(jsm: JetStreamManager, name: string, deadline = Date.now() + 10_000): Promise<StreamInfo> {
  for (;;) {
    try {
      return await jsm.streams.info(name);
    } catch (err) {
      if (!(err instanceof Error && err.name === 'TimeoutError') || Date.now() > deadline) throw err;
    }
  }
}

function differs(current: StreamConfig, wanted: ReturnType<typeof wantedConfig> & { num_replicas: number }): boolean {
  return (Object.keys(wanted) as (keyof typeof wanted)[]).some((key) => JSON.stringify(current[key]) !== JSON.stringify(wanted[key]));
}

/** JetStream's refusal ("insufficient resources", "not supported in non-clustered mode"), with what to do about it. */
async function withReplicaHint(replicas: number, request: Promise<StreamInfo>): Promise<StreamInfo> {
  try {
    return await request;
  } catch (err) {
    if (replicas <= 1 || !(err instanceof Error)) throw err;
    throw replicaError(replicas, err.message, err);
  }
}

function replicaError(replicas: number, why: string, cause?: Error): Error {
  return new Error(
    `could not give the event stream ${replicas} replicas: ${why}. HANGAR_STREAM_REPLICAS=${replicas} needs a JetStream cluster of at least ${replicas} servers, all up; lower it or fix the cluster`,
    cause ? { cause } : undefined,
  );
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}
