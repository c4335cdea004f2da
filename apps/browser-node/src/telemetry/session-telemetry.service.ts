import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BROWSER_SETTING_DEFAULTS, type RecordingEvent, type SessionLogEntry, type TelemetryKind } from '@hangar/contracts';
import { ensureTelemetryStream, NATS_CONNECTION, TelemetryLog, type NatsConnection } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import type { NodeConfig } from '../env.js';
import type { LiveSession } from '../sessions/live-session.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NODE_CONFIG } from '../tokens.js';
import { ClientLogTap } from './client-log.tap.js';
import { PageIds, SessionObserver } from './session-observer.js';
import { TelemetryBuffer } from './telemetry-buffer.js';

/** The longest a session's start waits for its observer; past it the session runs unobserved. */
const OBSERVER_START_TIMEOUT_MS = 5_000;

interface Observed {
  observer: SessionObserver | undefined;
  pageIds: PageIds;
  logs: TelemetryBuffer<SessionLogEntry> | undefined;
  recording: TelemetryBuffer<RecordingEvent> | undefined;
}

/**
 * A session's telemetry (contracts/telemetry.ts): its CDP log and its rrweb recording, published
 * to the telemetry stream while it runs and closed with an `end` per kind once it has ended.
 *
 * Fencing: the observer speaks only to the session's own browser (its loopback port, from the
 * node's own record of it, never from client input); every message goes to subjects named by the
 * session's id, so nothing a page or client sends can land in another session's telemetry; and
 * each kind is capped per session (HANGAR_LOG_MAX_BYTES, HANGAR_RECORDING_MAX_BYTES), so a
 * hostile page can fill only its own allowance. Credential headers are redacted before anything
 * is published.
 */
@Injectable()
export class SessionTelemetry implements OnModuleInit {
  private readonly sessions = new Map<string, Observed>();
  private telemetry: TelemetryLog | undefined;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly proxy: CdpProxy,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await ensureTelemetryStream(this.nc, { replicas: this.config.streamReplicas });
    this.telemetry = await TelemetryLog.create(this.nc);
    this.registry.addHook({ name: 'telemetry', started: (s) => this.started(s), ending: (s) => this.ending(s), ended: (s) => this.ended(s) });
    // No tap at all for a session that does not log: its splice stays a plain byte pipe.
    this.proxy.setTap((session) => {
      const observed = this.sessions.get(session.id);
      return observed?.logs ? new ClientLogTap(session.id, observed.pageIds, observed.logs, this.logger) : undefined;
    });
  }

  private buffer<T>(session: LiveSession, kind: TelemetryKind, capBytes: number): TelemetryBuffer<T> {
    const telemetry = this.telemetry!;
    return new TelemetryBuffer<T>({
      sessionId: session.id,
      kind,
      capBytes,
      publish: (message, msgId) => telemetry.publish(session.id, kind, message, msgId),
      onError: (err) => this.logger.warn({ err, sessionId: session.id, kind }, 'telemetry: could not publish; dropped'),
    });
  }

  /**
   * Awaited by the session's start, so only what must precede a client is awaited here: the
   * observer attached to the open page with the recorder armed (every later document records
   * from its first script). Everything else runs as the session goes.
   */
  private async started(session: LiveSession): Promise<void> {
    const record = session.browserSettings.recordSession ?? BROWSER_SETTING_DEFAULTS.recordSession;
    const log = session.browserSettings.logSession ?? BROWSER_SETTING_DEFAULTS.logSession;
    const observed: Observed = {
      observer: undefined,
      pageIds: new PageIds(),
      logs: log ? this.buffer<SessionLogEntry>(session, 'logs', this.config.logMaxBytes) : undefined,
      recording: record ? this.buffer<RecordingEvent>(session, 'recording', this.config.recordingMaxBytes) : undefined,
    };
    this.sessions.set(session.id, observed);
    if (!record && !log) return;
    const { port, browserPath } = session.browser;
    const observer = new SessionObserver({
      sessionId: session.id,
      browserUrl: `ws://127.0.0.1:${port}${browserPath}`,
      pageIds: observed.pageIds,
      ...(observed.logs ? { logs: observed.logs } : {}),
      ...(observed.recording ? { recording: observed.recording } : {}),
      logger: this.logger,
    });
    observed.observer = observer;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        observer.start(),
        new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`no answer within ${OBSERVER_START_TIMEOUT_MS} ms`)), OBSERVER_START_TIMEOUT_MS))),
      ]);
      this.logger.debug({ sessionId: session.id, observerMs: Math.round(performance.now() - t0) }, 'telemetry: observer armed');
    } catch (err) {
      // The session runs without telemetry rather than not at all; `end` still closes each kind.
      this.logger.error({ err, sessionId: session.id }, 'telemetry: could not observe the session');
      observer.close();
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Just before the kill: the pages' own batches (up to 500 ms of events, recorder-script.ts)
   * would die with the browser. Nothing to do for a session that does not record.
   */
  private async ending(session: LiveSession): Promise<void> {
    const observed = this.sessions.get(session.id);
    if (observed?.recording && observed.observer) await observed.observer.flushPages();
  }

  /** The browser is gone: publish what is held and an `end` for both kinds (a kind that is off gets only its `end`). */
  private async ended(session: LiveSession): Promise<void> {
    const observed = this.sessions.get(session.id);
    this.sessions.delete(session.id);
    observed?.observer?.close();
    // The clients' taps hand their last frames over on the next turn: let them land first.
    await new Promise((r) => setImmediate(r));
    const end = (kind: TelemetryKind, buffer: TelemetryBuffer<unknown> | undefined) =>
      buffer ? buffer.end() : this.telemetry!.publish(session.id, kind, { type: 'end' }, `${session.id}:${kind}:end`).then(() => undefined);
    await Promise.all([end('logs', observed?.logs), end('recording', observed?.recording)]);
  }
}
