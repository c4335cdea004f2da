import { TELEMETRY_MAX_CHUNKS, TELEMETRY_MAX_MESSAGE_BYTES, telemetryMessageSchema, type TelemetryMessage } from './telemetry.js';

/**
 * A message bigger than the stream takes (a large page's full snapshot is megabytes,
 * data-plane-notes §2) travels as `chunk` parts: its JSON cut into ordered slices, each part
 * below the message size. The node splits (splitTelemetryMessage); the answers put the parts back
 * together (ChunkJoiner, used only by telemetry-answer.ts), so a reader never sees a part.
 */

/** Room in a part for its envelope: `{"type":"chunk","id":"…","index":…,"total":…,"text":""}` with a 64-character id. */
const CHUNK_ENVELOPE_BYTES = 256;

/**
 * `message` as it is published: itself when it fits in `maxBytes`, else its parts (at least two),
 * or undefined when even parts cannot carry it (more than TELEMETRY_MAX_CHUNKS). Sizes are the
 * UTF-8 bytes of each part's JSON, counted exactly (escapes included), so no part is refused.
 */
export function splitTelemetryMessage(message: TelemetryMessage, id: string, maxBytes = TELEMETRY_MAX_MESSAGE_BYTES): TelemetryMessage[] | undefined {
  const json = JSON.stringify(message);
  if (utf8Bytes(json) <= maxBytes) return [message];
  const budget = maxBytes - CHUNK_ENVELOPE_BYTES;
  const slices: string[] = [];
  let start = 0;
  let bytes = 2; // the text's quotes
  for (let i = 0; i < json.length; ) {
    const unit = json.charCodeAt(i);
    // A surrogate pair is one character: never cut between its halves (JSON.stringify output has no lone ones).
    const width = unit >= 0xd800 && unit <= 0xdbff && i + 1 < json.length ? 2 : 1;
    const cost = escapedBytes(unit, width);
    if (bytes + cost > budget) {
      slices.push(json.slice(start, i));
      start = i;
      bytes = 2;
    }
    bytes += cost;
    i += width;
  }
  slices.push(json.slice(start));
  if (slices.length > TELEMETRY_MAX_CHUNKS) return undefined;
  return slices.map((text, index) => ({ type: 'chunk', id, index, total: slices.length, text }));
}

/** Bytes one character takes inside a JSON string, as UTF-8. */
function escapedBytes(unit: number, width: number): number {
  if (width === 2) return 4;
  if (unit === 0x22 || unit === 0x5c) return 2; // \" \\
  if (unit < 0x20) return unit === 0x08 || unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d ? 2 : 6;
  if (unit < 0x80) return 1;
  if (unit < 0x800) return 2;
  if (unit >= 0xd800 && unit <= 0xdfff) return 6; // a lone surrogate is escaped
  return 3;
}

/** The UTF-8 size of a string as published (JSON.stringify output: surrogates come in pairs). */
function utf8Bytes(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

type Chunk = Extract<TelemetryMessage, { type: 'chunk' }>;
type Whole = Exclude<TelemetryMessage, { type: 'chunk' }>;

/** What became of a part: nothing yet, the whole message, or a set that cannot be completed. */
export type ChunkOutcome = { readonly kind: 'pending' } | { readonly kind: 'whole'; readonly message: Whole } | { readonly kind: 'lost'; readonly reason: string; readonly droppedBytes: number };

/**
 * Puts parts back together, in the order they were read. A node publishes one message at a time,
 * so the parts of one id are consecutive: a part out of place, a set interrupted by another
 * message, or one whose first part is missing (a publish that failed, a node killed mid-set, the
 * stream's oldest messages discarded) is lost as a whole and said so once; what the parts join to
 * is parsed and validated like any message, and a part itself is never an answer's entry.
 */
export class ChunkJoiner {
  private current: { id: string; total: number; parts: string[]; bytes: number } | undefined;
  /** The id of a set already reported lost: its later parts are skipped silently. */
  private lostId: string | undefined;

  add(chunk: Chunk): ChunkOutcome {
    const current = this.current;
    if (current && current.id === chunk.id && chunk.total === current.total) {
      if (chunk.index < current.parts.length) return { kind: 'pending' }; // a duplicate
      if (chunk.index === current.parts.length) {
        current.parts.push(chunk.text);
        current.bytes += chunk.text.length;
        return current.parts.length === current.total ? this.join() : { kind: 'pending' };
      }
    }
    if (chunk.id === this.lostId) return { kind: 'pending' };
    const lost = current ? this.lose(current.id === chunk.id ? `part ${chunk.index} came out of order` : 'its set was interrupted') : undefined;
    if (chunk.index === 0) {
      this.current = { id: chunk.id, total: chunk.total, parts: [chunk.text], bytes: chunk.text.length };
      return lost ?? { kind: 'pending' };
    }
    if (lost) return lost;
    this.lostId = chunk.id;
    return { kind: 'lost', reason: `a message of ${chunk.total} parts was cut short: its first parts are missing`, droppedBytes: chunk.text.length };
  }

  /** A whole message was read: a set still open before it can no longer complete. */
  interrupted(): ChunkOutcome | undefined {
    return this.current ? this.lose('its set was interrupted') : undefined;
  }

  /** The end of what was read: a set still open is lost, or (a running session) still arriving. */
  finish(): ChunkOutcome | undefined {
    return this.current ? this.lose('its last parts are missing') : undefined;
  }

  private lose(why: string): ChunkOutcome {
    const current = this.current!;
    this.current = undefined;
    this.lostId = current.id;
    return { kind: 'lost', reason: `a message of ${current.total} parts was cut short (${current.parts.length} read): ${why}`, droppedBytes: current.bytes };
  }

  private join(): ChunkOutcome {
    const current = this.current!;
    this.current = undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(current.parts.join(''));
    } catch {
      parsed = undefined;
    }
    const valid = telemetryMessageSchema.safeParse(parsed);
    if (valid.success && (valid.data.type === 'logs' || valid.data.type === 'recording')) return { kind: 'whole', message: valid.data };
    return { kind: 'lost', reason: `a message of ${current.total} parts did not join into a batch`, droppedBytes: current.bytes };
  }
}
