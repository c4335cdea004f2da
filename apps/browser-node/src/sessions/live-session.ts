import type { BrowserSettings } from '@hangar/contracts';
import type { SessionState } from '@hangar/domain';
import type { PipedConnection } from '@hangar/upgrade-proxy';
import type { ChromiumProcess } from '../chromium/chromium.process.js';

export interface ClientConnection {
  readonly pipe: PipedConnection;
  /** ClientConnected was appended for it, so its close must append ClientDisconnected. */
  recorded: boolean;
}

/** A session whose browser this node runs, from the end of its launch to its teardown. */
export interface LiveSession {
  readonly id: string;
  /** The start command's correlation id; the node's own events for the session carry it too. */
  readonly correlationId: string;
  readonly projectId: string;
  /** As SessionRequested recorded them (recordSession, logSession, …). */
  readonly browserSettings: BrowserSettings;
  readonly browser: ChromiumProcess;
  /**
   * The state after the last event this node appended. It may be stale (another writer ended
   * the session); appends carry it as the expected version, so a stale decision is retried on
   * the fresh state instead of being written.
   */
  state: SessionState | undefined;
  readonly clients: Map<string, ClientConnection>;
  /**
   * Settles once every hook's `started` has (SessionRegistry.started): a client's socket is
   * spliced only after it, so the data plane is attached before any client can drive a page,
   * while the start's answer does not wait for it.
   */
  ready: Promise<void>;
  /** Teardown has begun: no client may attach any more. */
  ending: boolean;
}
