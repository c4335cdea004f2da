import WebSocket from 'ws';

const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

/**
 * The node's own CDP socket to a session's Chromium (flat sessions): commands with promised
 * answers, events to one listener. Trusted node code on loopback; it never goes through the
 * guard, and nothing a client sends reaches it.
 */
export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: Record<string, unknown>): void; reject(e: Error): void }>();
  private closedError: Error | undefined;

  private constructor(
    private readonly ws: WebSocket,
    onEvent: (event: CdpEvent) => void,
  ) {
    ws.on('message', (data) => {
      let msg: { id?: number; result?: Record<string, unknown>; error?: { message?: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (typeof msg.id === 'number') {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message ?? 'CDP error'));
        else p?.resolve(msg.result ?? {});
      } else if (typeof msg.method === 'string') {
        onEvent({ method: msg.method, params: msg.params ?? {}, ...(msg.sessionId ? { sessionId: msg.sessionId } : {}) });
      }
    });
    ws.on('close', () => this.failAll(new Error('CDP connection closed')));
    ws.on('error', () => undefined); // 'close' follows
  }

  static open(url: string, onEvent: (event: CdpEvent) => void, timeoutMs = 5_000): Promise<CdpConnection> {
    return new Promise((resolve, reject) => {
      // A page can make Chromium send one message as big as its binding payload: past this the
      // socket closes, and only that session loses its telemetry.
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs, maxPayload: MAX_MESSAGE_BYTES });
      ws.once('open', () => resolve(new CdpConnection(ws, onEvent)));
      ws.once('error', reject);
    });
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Until the socket closes (either side). */
  get open(): boolean {
    return this.closedError === undefined;
  }

  close(): void {
    this.ws.terminate();
    this.failAll(new Error('CDP connection closed'));
  }

  private failAll(err: Error): void {
    this.closedError ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
