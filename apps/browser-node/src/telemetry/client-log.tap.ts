import type { SessionLogEntry } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';
import type { CdpTap } from '../cdp/guard/cdp-tap.js';
import { redactHeaders } from './redact.js';
import type { PageIds } from './session-observer.js';
import { ServerFrameReader } from './server-frames.js';
import type { TelemetryBuffer } from './telemetry-buffer.js';

/** A message body logged in full up to this size; past it, only its id, method and length. */
const LOGGED_BODY_BYTES = 64 * 1024;
/** Bytes queued for the tap's next turn; past it the tap gives up on the connection (logged as truncated). */
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
/** Commands awaiting their answer; a client that never reads answers cannot grow this. */
const MAX_OPEN_COMMANDS = 10_000;

interface OpenCommand {
  method: string;
  params: Record<string, unknown>;
  rawBody: string;
  cdpSessionId: string | undefined;
  timestamp: number;
}

/**
 * The client's commands and Chromium's answers on one spliced connection, as log entries. The
 * splice hands over references (the guard's unmasked copy, the socket's chunks) and returns at
 * once; everything else happens on a later turn (setImmediate), in arrival order, so a request
 * is always read before its answer. Bodies over LOGGED_BODY_BYTES are kept as their length only,
 * and the queue is bounded: a client flooding its own socket only loses its own log.
 */
export class ClientLogTap implements CdpTap {
  private queue: Array<{ from: 'client' | 'server'; data: Buffer }> = [];
  private queuedBytes = 0;
  private scheduled = false;
  private broken = false;
  private readonly open = new Map<number, OpenCommand>();
  private readonly serverFrames = new ServerFrameReader(LOGGED_BODY_BYTES);
  /** Client-side CDP session ids → target ids, from Target.attachedToTarget. */
  private readonly targetOf = new Map<string, string>();

  constructor(
    private readonly sessionId: string,
    private readonly pageIds: PageIds,
    private readonly logs: TelemetryBuffer<SessionLogEntry>,
    private readonly logger: Logger,
  ) {}

  client(payload: Buffer): void {
    this.enqueue('client', payload);
  }

  server(chunk: Buffer): void {
    this.enqueue('server', chunk);
  }

  close(): void {
    this.enqueue('client', Buffer.alloc(0));
    this.closing = true;
  }

  private closing = false;

  private enqueue(from: 'client' | 'server', data: Buffer): void {
    if (this.broken) return;
    this.queuedBytes += data.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) {
      this.broken = true;
      this.queue = [];
      this.logs.refused('the client log of one connection fell too far behind; its remaining traffic is not logged', this.queuedBytes);
      return;
    }
    this.queue.push({ from, data });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    const items = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    try {
      for (const { from, data } of items) {
        if (from === 'client') {
          if (data.length > 0) this.onClient(data);
        } else this.serverFrames.push(data, (text, length) => this.onServer(text, length));
      }
      if (this.closing && this.queue.length === 0) this.flushOpen();
    } catch (err) {
      // A reader bug must cost the log, never the node.
      this.broken = true;
      this.logger.warn({ err, sessionId: this.sessionId }, 'telemetry: client log tap failed; the connection is no longer logged');
    }
  }

  private onClient(payload: Buffer): void {
    const text = payload.length > LOGGED_BODY_BYTES ? undefined : payload.toString('utf8');
    // A client may put `id` last (puppeteer does): an unparsed message is searched at both ends.
    const msg = text === undefined ? prefixFields(`${payload.subarray(0, 256).toString('utf8')} ${payload.subarray(-256).toString('utf8')}`) : safeJson(text);
    if (!msg || typeof msg.id !== 'number' || typeof msg.method !== 'string') return;
    if (this.open.size >= MAX_OPEN_COMMANDS) this.open.delete(this.open.keys().next().value!);
    const params = text === undefined ? {} : redactHeaders(isRecord(msg.params) ? msg.params : {});
    const rawBody = text === undefined ? `[${payload.length} bytes, not logged]` : JSON.stringify(redactHeaders(msg));
    this.open.set(msg.id, { method: msg.method, params, rawBody, cdpSessionId: typeof msg.sessionId === 'string' ? msg.sessionId : undefined, timestamp: Date.now() });
  }

  private onServer(text: string, length: number): void {
    const whole = length <= LOGGED_BODY_BYTES;
    const msg = whole ? safeJson(text) : prefixFields(text);
    if (!msg) return;
    if (msg.method === 'Target.attachedToTarget' && isRecord(msg.params)) {
      const info = msg.params.targetInfo;
      if (typeof msg.params.sessionId === 'string' && isRecord(info) && typeof info.targetId === 'string') this.targetOf.set(msg.params.sessionId, info.targetId);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const command = this.open.get(msg.id);
    if (!command) return;
    this.open.delete(msg.id);
    const result = whole && isRecord(msg.result) ? redactHeaders(msg.result) : isRecord(msg.error) ? { error: msg.error } : {};
    this.emit(command, { result, rawBody: whole ? JSON.stringify(redactHeaders(msg)) : `[${length} bytes, not logged]`, timestamp: Date.now() });
  }

  /** Commands the connection closed on before they were answered: logged without a response. */
  private flushOpen(): void {
    for (const command of this.open.values()) this.emit(command, undefined);
    this.open.clear();
  }

  private emit(command: OpenCommand, response: SessionLogEntry['response']): void {
    const targetId = (command.cdpSessionId && this.targetOf.get(command.cdpSessionId)) || (typeof command.params.targetId === 'string' ? command.params.targetId : undefined);
    const frameId = typeof command.params.frameId === 'string' ? command.params.frameId : undefined;
    this.logs.add({
      method: command.method,
      // Browser-level commands (no page) count as the first page's, as pageId is a plain integer.
      pageId: targetId ? this.pageIds.of(targetId) : 0,
      sessionId: this.sessionId,
      ...(frameId ? { frameId } : {}),
      timestamp: command.timestamp,
      request: { params: command.params, rawBody: command.rawBody, timestamp: command.timestamp },
      ...(response ? { response } : {}),
    });
  }
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function safeJson(text: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `id`, `method` and `sessionId` from the ends of a message too big to parse whole. */
function prefixFields(prefix: string): Json | undefined {
  const id = /"id"\s*:\s*(\d+)/.exec(prefix);
  const method = /"method"\s*:\s*"([A-Za-z.]{1,100})"/.exec(prefix);
  const sessionId = /"sessionId"\s*:\s*"([A-F0-9]{32})"/.exec(prefix);
  if (!id) return method ? { method: method[1] } : undefined;
  return { id: Number(id[1]), ...(method ? { method: method[1] } : {}), ...(sessionId ? { sessionId: sessionId[1] } : {}) };
}
