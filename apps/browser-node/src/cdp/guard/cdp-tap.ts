/**
 * A copy of a spliced CDP connection's traffic, for the session log (telemetry/client-log.tap.ts).
 * Called on the splice's own turn, so an implementation only queues what it is handed and does
 * its work later: the splice must never wait on logging. Installed only for a session that logs.
 */
export interface CdpTap {
  /** A whole client → Chromium text message that was forwarded (unmasked; the caller's own copy). */
  client(payload: Buffer): void;
  /** A chunk of Chromium → client bytes as read off the socket (the 101 head, then frames). */
  server(chunk: Buffer): void;
  /** The connection has closed. */
  close(): void;
}
