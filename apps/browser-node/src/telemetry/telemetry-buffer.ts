import { splitTelemetryMessage, TELEMETRY_MAX_MESSAGE_BYTES, type TelemetryKind, type TelemetryMessage } from '@hangar/contracts';

/** Room left in a message for its envelope (`{"type":"recording","events":[…]}`) and commas. */
const ENVELOPE_BYTES = 1024;

export interface TelemetryBufferOptions {
  sessionId: string;
  kind: TelemetryKind;
  /** Bytes of entries this session may publish of this kind; past it, one `truncated` and then nothing. */
  capBytes: number;
  /** How long an entry waits for others before its batch goes out. */
  flushMs?: number;
  maxMessageBytes?: number;
  /** Publishes one message; `msgId` makes a retry land once. */
  publish(message: TelemetryMessage, msgId: string): Promise<unknown>;
  onError(err: unknown): void;
}

/**
 * Batches one session's entries of one kind into telemetry messages below the stream's message
 * size, in order, one publish at a time. Everything it holds is bounded by the per-session cap:
 * a page that floods its recorder, or a NATS that stalls, costs at most `capBytes` of memory.
 */
export class TelemetryBuffer<T> {
  private items: T[] = [];
  private itemsBytes = 0;
  private published = 0;
  private seq = 0;
  private capped = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private chunkSets = 0;
  private readonly maxMessageBytes: number;
  private readonly maxBatchBytes: number;

  constructor(private readonly options: TelemetryBufferOptions) {
    this.maxMessageBytes = options.maxMessageBytes ?? TELEMETRY_MAX_MESSAGE_BYTES;
    this.maxBatchBytes = this.maxMessageBytes - ENVELOPE_BYTES;
  }

  /** Total bytes accepted so far (published or waiting). */
  get acceptedBytes(): number {
    return this.published + this.itemsBytes;
  }

  /** The cap was reached: everything from here on is dropped, so callers may skip the work of making it. */
  get full(): boolean {
    return this.capped || this.ended;
  }

  add(item: T): void {
    if (this.ended || this.capped) return;
    let bytes: number;
    try {
      bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
    } catch {
      return; // not serializable (a cycle): nothing a reader could use
    }
    if (this.acceptedBytes + bytes > this.options.capBytes) {
      this.capped = true;
      this.flush();
      this.send({ type: 'truncated', reason: `the session's ${this.options.kind} reached the cap of ${this.options.capBytes} bytes`, droppedBytes: bytes });
      return;
    }
    if (bytes > this.maxBatchBytes) return this.sendInParts(item, bytes);
    if (this.itemsBytes + bytes > this.maxBatchBytes) this.flush();
    this.items.push(item);
    this.itemsBytes += bytes;
    this.timer ??= setTimeout(() => this.flush(), this.options.flushMs ?? 1_000).unref();
  }

  /** Something too big to even parse was refused before add(): say so, as for an oversized entry. */
  refused(reason: string, bytes: number): void {
    if (this.ended || this.capped) return;
    this.send({ type: 'truncated', reason, droppedBytes: bytes });
  }

  /** Sends what is held as one message (add() keeps it below the message size). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length === 0) return;
    const items = this.items;
    this.published += this.itemsBytes;
    this.items = [];
    this.itemsBytes = 0;
    this.send(this.batchOf(items));
  }

  /**
   * One entry bigger than a message (a large page's full snapshot): alone in its batch, published
   * as that batch's ordered parts (contracts telemetry-chunks.ts), after what was held before it.
   * Its bytes count against the cap like any entry's, so parts cannot get past it.
   */
  private sendInParts(item: T, bytes: number): void {
    this.flush();
    const parts = splitTelemetryMessage(this.batchOf([item]), `c${++this.chunkSets}`, this.maxMessageBytes);
    if (!parts) {
      this.send({ type: 'truncated', reason: `one ${this.options.kind} entry of ${bytes} bytes is too large even in parts`, droppedBytes: bytes });
      return;
    }
    this.published += bytes;
    for (const part of parts) this.send(part);
  }

  private batchOf(items: T[]): TelemetryMessage {
    return this.options.kind === 'logs' ? ({ type: 'logs', entries: items } as TelemetryMessage) : ({ type: 'recording', events: items } as TelemetryMessage);
  }

  /** Flushes, then publishes `end`; resolves once every message of the kind was published (or failed). */
  async end(): Promise<void> {
    if (this.ended) return this.chain;
    this.flush();
    this.ended = true;
    this.send({ type: 'end' });
    return this.chain;
  }

  private send(message: TelemetryMessage): void {
    const msgId = `${this.options.sessionId}:${this.options.kind}:${++this.seq}`;
    this.chain = this.chain.then(() => this.publishWithRetry(message, msgId));
  }

  /** A few retries across a NATS blip; the msgId keeps a retried message from landing twice. */
  private async publishWithRetry(message: TelemetryMessage, msgId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.publish(message, msgId);
        return;
      } catch (err) {
        if (attempt >= 3) return this.options.onError(err);
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  }
}
