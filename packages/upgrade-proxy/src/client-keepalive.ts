import type { Duplex, Readable } from 'node:stream';
import { ServerFrameTracker } from './server-frame.tracker.js';

export interface KeepaliveOptions {
  /** Ping the client after it has sent nothing for this long. */
  intervalMs: number;
  /** Cut the connection once the client has sent nothing for this long; should exceed intervalMs. */
  timeoutMs: number;
}

/** FIN + opcode 0x9, unmasked (server → client), empty payload. */
const PING_FRAME = Buffer.from([0x89, 0x00]);

/**
 * Detects a client that vanished without a close frame (laptop lid shut, NAT entry dropped, a
 * half-open TCP connection): without this, the node's session would count the client as connected
 * until the OS gives up retransmitting — hours — and a non-keepAlive session would never end.
 *
 * Any byte from the client proves it alive; when it has been quiet for `intervalMs` it is pinged,
 * and live WebSocket clients answer a ping with a pong (RFC 6455 §5.5.2) without their application
 * doing anything. The pong travels on to the upstream unchanged: an unsolicited pong is allowed and
 * ignored (§5.5.3) by Chromium and by `ws`. After `timeoutMs` of silence `onTimeout` runs.
 *
 * A slow client downloading one huge frame (a 40 MB printToPDF over a thin link) sends nothing and
 * cannot be pinged mid-frame, yet is alive: its socket's 'drain' proves its TCP stack is taking our
 * bytes, so a drain also holds off the timeout (not the pings). A vanished client stops draining
 * once the kernel's send buffer is full, so this delays detection by that much at most.
 *
 * Must be called after `upstream.pipe(client)`: its 'data' listener then runs after pipe's, so the
 * tracker only ever describes bytes already handed to `client.write`, and a ping written at a frame
 * boundary lands after them.
 */
export function keepClientAlive(upstream: Readable, client: Duplex, options: KeepaliveOptions, onTimeout: () => void): () => void {
  const { intervalMs, timeoutMs } = options;
  const tracker = new ServerFrameTracker();
  let heardAt = Date.now();
  let drainedAt = -Infinity;
  let pingedAt = -Infinity;
  /** A ping is owed but could not be written yet (mid-frame, or the client's buffer is full). */
  let pingDue = false;
  let timer: NodeJS.Timeout | undefined;

  const ping = () => {
    // With the client's buffer full the ping would only queue behind it; the next 'drain' sends it.
    if (!tracker.atFrameBoundary || client.writableNeedDrain || !client.writable) return;
    client.write(PING_FRAME);
    pingedAt = Date.now();
    pingDue = false;
  };

  const onUpstreamData = (chunk: Buffer) => {
    const wasUpgraded = tracker.upgraded;
    tracker.push(chunk);
    if (!wasUpgraded && tracker.upgraded) {
      // The client could not speak before its handshake completed: its silence counts from here.
      heardAt = Date.now();
      pingDue = false;
    }
    if (pingDue) ping();
  };
  const onClientData = () => {
    heardAt = Date.now();
    pingDue = false;
  };
  const onDrain = () => {
    drainedAt = Date.now();
    if (pingDue) ping();
  };

  // One timer, re-armed when it fires, rather than reset on every client chunk: CDP traffic is
  // thousands of small messages a second, and the clock is just a timestamp.
  const check = () => {
    const now = Date.now();
    const deadline = Math.max(heardAt, drainedAt) + timeoutMs;
    if (now >= deadline) {
      stop();
      onTimeout();
      return;
    }
    if (now - heardAt >= intervalMs && now - pingedAt >= intervalMs) {
      pingDue = true;
      ping();
    }
    // While a ping is owed, the next frame boundary or 'drain' sends it; only the deadline is timed.
    const nextPing = pingDue ? Infinity : Math.max(heardAt, pingedAt) + intervalMs;
    timer = setTimeout(check, Math.max(1, Math.min(deadline, nextPing) - now));
    timer.unref();
  };

  const stop = () => {
    clearTimeout(timer);
    upstream.off('data', onUpstreamData);
    client.off('data', onClientData);
    client.off('drain', onDrain);
  };

  upstream.on('data', onUpstreamData);
  client.on('data', onClientData);
  client.on('drain', onDrain);
  check();
  return stop;
}
