import { Transform, type TransformCallback } from 'node:stream';
import { ClientFrameReader, FrameError, type FrameSink } from './client-frame.reader.js';
import type { GuardFolders } from './guarded-methods.js';
import { decide } from './message.decider.js';
import { maskedFrame, serverTextFrame } from './ws-frames.js';

/** Chromium's own cap on a DevTools message (kReceiveBufferSizeForDevTools): nothing larger is useful. */
export const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;

const OPCODE_TEXT = 0x1;

export interface CdpGuardOptions {
  folders: GuardFolders;
  /** Writes a frame to the client between whole frames of Chromium's (pipeUpgrade's `toClient`). */
  toClient: (frame: Buffer) => void;
  /** A call refused (logged by the caller); the client has its answer already. */
  onRefused?: (method: string | undefined, why: string) => void;
  maxMessageBytes?: number;
  /** Sees each text message that leaves for Chromium (the log tap, cdp-tap.ts); absent for a session that does not log. */
  onForwarded?: (payload: Buffer) => void;
}

/**
 * The client → Chromium half of a session's CDP splice: WebSocket frames in, the frames Chromium
 * may see out. Messages that cannot be guarded calls leave as the very bytes that came in; checked
 * ones leave re-serialized as one masked frame; refused ones never leave, and the client gets a CDP
 * error answer instead. Pings, pongs and the close frame pass unchanged. A protocol violation
 * fails the stream (pipeUpgrade then cuts the connection).
 *
 * The stream carries only frames: pipeUpgrade writes the upgrade request to Chromium itself, with
 * Sec-WebSocket-Extensions dropped, so no permessage-deflate is negotiated and the payloads read
 * here are the payloads Chromium reads.
 */
export function cdpGuard(options: CdpGuardOptions): Transform {
  const reader = new ClientFrameReader(options.maxMessageBytes ?? MAX_MESSAGE_BYTES);
  const guard = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        reader.push(chunk, sink);
        done();
      } catch (err) {
        done(err instanceof FrameError ? err : new FrameError(1002, String(err)));
      }
    },
  });
  const sink: FrameSink = {
    message(payload, binary, wire) {
      const decision = decide(payload, binary, options.folders);
      if (decision.kind === 'forward') {
        guard.push(wire ?? maskedFrame(OPCODE_TEXT, payload));
        // `payload` is the reader's own unmasked copy: the tap may keep it.
        if (!binary) options.onForwarded?.(payload);
      } else if (decision.kind === 'rewrite') {
        guard.push(maskedFrame(OPCODE_TEXT, decision.payload));
        options.onForwarded?.(decision.payload);
      } else {
        options.toClient(serverTextFrame(decision.answer));
        options.onRefused?.(decision.method, decision.why);
      }
    },
    control(opcode, payload, wire) {
      guard.push(wire ?? maskedFrame(opcode, payload));
    },
  };
  return guard;
}
