import { z } from 'zod';

/**
 * Telemetry: what a session's browser says while it runs (CDP log entries, rrweb events). It has
 * a JetStream stream of its own, never HANGAR_EVENTS: it is bulky and short-lived, and a replay
 * of the domain log must stay fast. The node publishes; the archiver (apps/projector) turns a
 * session's messages into artifacts once it has ended and then purges them; the gateway reads
 * them directly while the session runs.
 */
export const TELEMETRY_STREAM = 'HANGAR_TELEMETRY';
export const TELEMETRY_WILDCARD = 'hangar.tel.>';
export const TELEMETRY_KINDS = ['logs', 'recording'] as const;
export type TelemetryKind = (typeof TELEMETRY_KINDS)[number];

const token = (id: string) => {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`invalid subject token: ${JSON.stringify(id)}`);
  return id;
};

export const telemetrySubjects = {
  /** One session's messages of one kind, in the order its node published them. */
  of: (sessionId: string, kind: TelemetryKind) => `hangar.tel.${token(sessionId)}.${kind}`,
  /** Every kind of one session: what the archiver purges once the artifacts are stored. */
  session: (sessionId: string) => `hangar.tel.${token(sessionId)}.>`,
} as const;

/** Largest message a node publishes; batches are cut below it (the stream refuses bigger). */
export const TELEMETRY_MAX_MESSAGE_BYTES = 512 * 1024;

/** Most parts one chunked message may have: 2 GiB (the largest per-session cap) in parts of ~500 KiB fits. */
export const TELEMETRY_MAX_CHUNKS = 1 << 13;

/** A CDP-level log entry, as `GET /v1/sessions/:id/logs` answers it (the SDK's SessionLog). */
export const sessionLogEntrySchema = z.object({
  method: z.string(),
  pageId: z.number().int(),
  sessionId: z.string(),
  frameId: z.string().optional(),
  loaderId: z.string().optional(),
  timestamp: z.number().optional(),
  request: z.object({ params: z.record(z.string(), z.unknown()), rawBody: z.string(), timestamp: z.number().optional() }).optional(),
  response: z.object({ result: z.record(z.string(), z.unknown()), rawBody: z.string(), timestamp: z.number().optional() }).optional(),
});
export type SessionLogEntry = z.infer<typeof sessionLogEntrySchema>;

/** One rrweb event, as `GET /v1/sessions/:id/recording` answers it (the SDK's SessionRecording). */
export const recordingEventSchema = z.object({
  data: z.record(z.string(), z.unknown()),
  sessionId: z.string(),
  timestamp: z.number(),
  type: z.number().int(),
});
export type RecordingEvent = z.infer<typeof recordingEventSchema>;

/**
 * One telemetry message. `batch` carries entries of the subject's kind; `truncated` says that
 * from here on something was dropped (the per-session cap reached, a part of a chunked message lost)
 * and how much; `end` is the node's last message for the kind: without it, the archiver knows the
 * node stopped before the session's end was reported (killed) and says so in the artifact.
 */
export const telemetryMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('logs'), entries: z.array(sessionLogEntrySchema) }),
  z.object({ type: z.literal('recording'), events: z.array(recordingEventSchema) }),
  z.object({ type: z.literal('truncated'), reason: z.string(), droppedBytes: z.number().int().nonnegative().optional() }),
  z.object({ type: z.literal('end') }),
  // One part of a message too big for one (telemetry-chunks.ts): `text` is a slice of the whole
  // message's JSON; the parts of one `id` are published in order, one after another.
  z.object({
    type: z.literal('chunk'),
    id: z.string().min(1).max(64),
    index: z.number().int().nonnegative(),
    total: z.number().int().min(2).max(TELEMETRY_MAX_CHUNKS),
    text: z.string(),
  }),
]);
export type TelemetryMessage = z.infer<typeof telemetryMessageSchema>;

/**
 * The marker an answer (logs or recording) carries where telemetry was lost, as one more entry:
 * a client that reads every entry sees it, one that does not know it skips an unknown method.
 */
export const TRUNCATION_METHOD = 'Hangar.truncated';
