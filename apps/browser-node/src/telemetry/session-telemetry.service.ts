import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BROWSER_SETTING_DEFAULTS, type RecordingEvent, type SessionLogEntry, type TelemetryKind } from '@hangar/contracts';
import { ensureTelemetryStream, NATS_CONNECTION, TelemetryLog, type NatsConnection } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import type { NodeConfig } from '../env.js';
import type { ChromiumProcess } from '../chromium/chromium.process.js';
import type { LiveSession } from '../sessions/live-session.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { sessionShaper } from '../sessions/session-shaping.js';
import type { TargetShaper } from '../sessions/target-shaper.js';
import { NODE_CONFIG } from '../tokens.js';
import { ClientLogTap } from './client-log.tap.js';
import { AdFilter } from '../egress/ad-filter.js';
import { loadFingerprintModel } from '../identity/session-identity.js';
import { recorderScript } from './recorder-script.js';
import { PageIds, SessionObserver, type ObserverSinks } from './session-observer.js';
import { TelemetryBuffer } from './telemetry-buffer.js';

/** The longest a session's start waits for its observer; past it the session runs unobserved. */
const OBSERVER_START_TIMEOUT_MS = 5_000;

interface Observed {
  observer: SessionObserver | undefined;
  /** The observer's, or the session's own when it has none (both kinds off). */
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
  /** Warm browsers' observers, armed before a session takes the browser (keyed weakly: a browser disposed of takes its entry along). */
  private readonly warm = new WeakMap<ChromiumProcess, Promise<SessionObserver | undefined>>();
  private telemetry: TelemetryLog | undefined;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly proxy: CdpProxy,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    // Built (and its bundle checked) now, so a recorder that cannot be built stops the boot.
    recorderScript();
    // Both models are loaded at boot, on the event loop (~120 ms and ~400 ms): a session's start,
    // or every session's CDP traffic while a first blockAds session parsed EasyList, never waits for them.
    loadFingerprintModel();
    await AdFilter.load().catch((err: unknown) => this.logger.error({ err }, 'blockAds: the filter list did not load; sessions asking for it run unfiltered until it does'));
    await ensureTelemetryStream(this.nc, { replicas: this.config.streamReplicas });
    this.telemetry = await TelemetryLog.create(this.nc);
    this.registry.addHook({ name: 'telemetry', warmed: (b) => this.warmed(b), started: (s) => this.started(s), ending: (s) => this.ending(s), ended: (s) => this.ended(s) });
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
   * A browser entered the warm pool: its observer is armed now, for the defaults (recording and
   * logging on), so a session that takes it with the defaults starts with nothing to wait for.
   * Until then it is bound to no session and drops whatever it sees (the pool's about:blank).
   */
  private async warmed(browser: ChromiumProcess): Promise<void> {
    if (!BROWSER_SETTING_DEFAULTS.recordSession || !BROWSER_SETTING_DEFAULTS.logSession) return;
    const armed = this.arm(browser, { record: true, log: true }, undefined);
    this.warm.set(browser, armed);
    await armed;
  }

  /** An observer of `browser`, started within OBSERVER_START_TIMEOUT_MS, or undefined (logged) when it could not be. */
  private async arm(browser: ChromiumProcess, what: { record: boolean; log: boolean }, sinks: ObserverSinks | undefined, shaper?: TargetShaper): Promise<SessionObserver | undefined> {
    const observer = new SessionObserver({
      browserUrl: `ws://127.0.0.1:${browser.port}${browser.browserPath}`,
      ...what,
      ...(sinks ? { sinks } : {}),
      ...(shaper ? { shaper } : {}),
      logger: this.logger,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        observer.start(),
        new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`no answer within ${OBSERVER_START_TIMEOUT_MS} ms`)), OBSERVER_START_TIMEOUT_MS))),
      ]);
      return observer;
    } catch (err) {
      // The session runs without telemetry rather than not at all; `end` still closes each kind.
      this.logger.error({ err, sessionId: sinks?.sessionId, pid: browser.pid }, 'telemetry: could not observe the browser');
      observer.close();
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A warm observer bound within OBSERVER_START_TIMEOUT_MS; past it the session runs, its targets shaped as they answer (logged). */
  private async bindWithin(observer: SessionObserver, sinks: ObserverSinks, shaper: TargetShaper, sessionId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), OBSERVER_START_TIMEOUT_MS)));
    const bound = await Promise.race([observer.bind(sinks, shaper), late]).finally(() => clearTimeout(timer));
    if (bound === 'late') this.logger.error({ sessionId }, `telemetry: the warm browser's targets were not shaped within ${OBSERVER_START_TIMEOUT_MS} ms`);
  }

  /**
   * Part of the session's `ready` (clients are spliced after it): the observer attached to the
   * open page with the recorder armed (every later document records from its first script), and
   * the session's shaper (sessions/session-shaping.ts: its identity and request fences) on every
   * target. A warm browser's observer, armed for the defaults, is bound at once; a session that
   * turns either kind off gets it closed (its scripts, binding and network log go with its
   * socket) and an observer armed for what it asked. Every session has an observer, since every
   * session has an identity to apply.
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
    const t0 = performance.now();
    const sinks: ObserverSinks = { sessionId: session.id, ...(observed.logs ? { logs: observed.logs } : {}), ...(observed.recording ? { recording: observed.recording } : {}) };
    const prearmed = this.warm.get(session.browser);
    this.warm.delete(session.browser);
    const shaper = sessionShaper(session, (entry) => observed.logs?.add(entry));
    let observer = prearmed ? await prearmed : undefined;
    if (observer && (!observer.open || !record || !log)) {
      observer.close();
      observer = undefined;
    }
    if (observer) await this.bindWithin(observer, sinks, shaper, session.id);
    else observer = await this.arm(session.browser, { record, log }, sinks, shaper);
    if (!observer) return;
    observed.observer = observer;
    observed.pageIds = observer.pageIds;
    this.logger.debug({ sessionId: session.id, observerMs: Math.round(performance.now() - t0), prearmed: prearmed !== undefined }, 'telemetry: observer armed');
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
