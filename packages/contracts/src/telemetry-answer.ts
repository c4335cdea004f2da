import { ChunkJoiner, type ChunkOutcome } from './telemetry-chunks.js';
import { TRUNCATION_METHOD, type RecordingEvent, type SessionLogEntry, type TelemetryMessage } from './telemetry.js';

/**
 * How a session's telemetry messages become the answer of `GET /v1/sessions/:id/logs` and
 * `/recording`: the same for the archiver (apps/projector, which stores the answer) and the
 * gateway (which builds it from the stream while the session runs), so both answer alike.
 * Where telemetry was lost, the answer carries a marker entry in place, never a gap.
 */

/** The marker's reason when a kind has no `end`: its node was killed, or lost, before it could say it was done. */
export const NODE_STOPPED_REPORTING = 'the node stopped reporting before the session ended';

/** The rrweb Custom event (type 5) tag of a recording's truncation marker. */
export const RECORDING_TRUNCATED_TAG = 'hangar.truncated';
const RRWEB_CUSTOM_EVENT = 5;

export interface TruncationFacts {
  readonly reason: string;
  readonly droppedBytes?: number | undefined;
}

const factsOf = ({ reason, droppedBytes }: TruncationFacts) => (droppedBytes === undefined ? { reason } : { reason, droppedBytes });

export function logTruncationMarker(sessionId: string, timestamp: number, facts: TruncationFacts): SessionLogEntry {
  return { method: TRUNCATION_METHOD, pageId: 0, sessionId, timestamp, request: { params: factsOf(facts), rawBody: '' } };
}

export function recordingTruncationMarker(sessionId: string, timestamp: number, facts: TruncationFacts): RecordingEvent {
  return { type: RRWEB_CUSTOM_EVENT, timestamp, sessionId, data: { tag: RECORDING_TRUNCATED_TAG, payload: factsOf(facts) } };
}

export interface AnswerOptions {
  /** A marker's time when no entry before it has one: e.g. the session's start. Otherwise a marker takes the latest time before it. */
  readonly fallbackTimestamp: number;
  /**
   * The kind's telemetry is complete only with its `end`. Set when the session has ended and the
   * wait for `end` is over: a missing `end` then adds a last marker at this time (or later).
   */
  readonly endedAt?: number | undefined;
}

export interface TelemetryAnswer<T> {
  readonly entries: T[];
  /** Something was lost: a `truncated` message, or no `end` after the session's end. */
  readonly truncated: boolean;
}

/** Log entries in publish order (a session's CDP traffic as its node saw it), markers in place. */
export function logAnswer(sessionId: string, messages: readonly TelemetryMessage[], options: AnswerOptions): TelemetryAnswer<SessionLogEntry> {
  const { entries, truncated, missingEnd, last } = collect(sessionId, messages, options, logTruncationMarker, (m) => (m.type === 'logs' ? m.entries : undefined));
  if (missingEnd) entries.push(logTruncationMarker(sessionId, Math.max(last, missingEnd), { reason: NODE_STOPPED_REPORTING }));
  return { entries, truncated };
}

/**
 * rrweb events in time order (pages, tabs and popups interleave by their clocks). A marker takes
 * the time of the last event before it, so the stable sort keeps it where the loss happened.
 */
export function recordingAnswer(sessionId: string, messages: readonly TelemetryMessage[], options: AnswerOptions): TelemetryAnswer<RecordingEvent> {
  const { entries, truncated, missingEnd } = collect(sessionId, messages, options, recordingTruncationMarker, (m) => (m.type === 'recording' ? m.events : undefined));
  entries.sort((a, b) => a.timestamp - b.timestamp);
  if (missingEnd) entries.push(recordingTruncationMarker(sessionId, Math.max(entries.at(-1)?.timestamp ?? 0, missingEnd), { reason: NODE_STOPPED_REPORTING }));
  return { entries, truncated };
}

type MarkerOf<T> = (sessionId: string, timestamp: number, facts: TruncationFacts) => T;

/**
 * `itemsOf` takes the entries of the answer's kind from a batch; a batch of the other kind on
 * this subject is a foreign publisher's, not part of this answer. The parts of a chunked message
 * are joined back into it where its set completes; a set that cannot complete is a marker there
 * (at the end only once the session has ended: before, its last parts may still be arriving).
 */
function collect<T extends { timestamp?: number | undefined }>(
  sessionId: string,
  messages: readonly TelemetryMessage[],
  options: AnswerOptions,
  marker: MarkerOf<T>,
  itemsOf: (message: TelemetryMessage) => readonly T[] | undefined,
) {
  const entries: T[] = [];
  const chunks = new ChunkJoiner();
  let latest: number | undefined;
  let truncated = false;
  let ended = false;
  const take = (entry: T) => {
    entries.push(entry);
    if (entry.timestamp !== undefined && (latest === undefined || entry.timestamp > latest)) latest = entry.timestamp;
  };
  const lost = (facts: TruncationFacts) => {
    truncated = true;
    entries.push(marker(sessionId, latest ?? options.fallbackTimestamp, facts));
  };
  const settle = (outcome: ChunkOutcome | undefined) => {
    if (outcome?.kind === 'whole') for (const item of itemsOf(outcome.message) ?? []) take(item);
    else if (outcome?.kind === 'lost') lost(outcome);
  };
  for (const message of messages) {
    if (message.type !== 'chunk') settle(chunks.interrupted());
    switch (message.type) {
      case 'logs':
      case 'recording':
        for (const item of itemsOf(message) ?? []) take(item);
        break;
      case 'truncated':
        lost(message);
        break;
      case 'chunk':
        settle(chunks.add(message));
        break;
      case 'end':
        ended = true;
        break;
    }
  }
  if (options.endedAt !== undefined) settle(chunks.finish());
  const missingEnd = !ended && options.endedAt !== undefined ? options.endedAt : undefined;
  return { entries, truncated: truncated || missingEnd !== undefined, missingEnd, last: latest ?? options.fallbackTimestamp };
}
