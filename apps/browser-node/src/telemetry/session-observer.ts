import type { RecordingEvent, SessionLogEntry } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';
import type { ShapedTarget, TargetShaper } from '../sessions/target-shaper.js';
import { CdpConnection, type CdpEvent } from './cdp-connection.js';
import { RECORDER_BINDING, RECORDER_FLUSH_EXPRESSION, recorderScript } from './recorder-script.js';
import { redactHeaders } from './redact.js';
import type { TelemetryBuffer } from './telemetry-buffer.js';

/** Largest binding payload parsed; a page sending more gets it counted as dropped, not parsed. */
const MAX_BINDING_PAYLOAD_CHARS = 8 * 1024 * 1024;
/** The page and network events that become log entries (their params as `request.params`). */
const LOGGED_EVENTS = new Set(['Page.frameNavigated', 'Network.requestWillBeSent', 'Network.responseReceived', 'Network.loadingFailed']);
/** Targets that render documents: they get the recorder and the network log. */
const DOCUMENT_TARGETS = new Set(['page', 'iframe']);
/** Targets that only a shaper holds on to (a session's identity reaches its workers too). */
const WORKER_TARGETS = new Set(['worker', 'shared_worker', 'service_worker']);

/** A small integer per page target, stable for the session, shared by the observer and the client taps. */
export class PageIds {
  private readonly ids = new Map<string, number>();
  of(targetId: string): number {
    let id = this.ids.get(targetId);
    if (id === undefined) this.ids.set(targetId, (id = this.ids.size));
    return id;
  }
}

/** Where what the observer sees goes: the session's buffers. Until an observer is bound, it drops what it sees. */
export interface ObserverSinks {
  sessionId: string;
  logs?: TelemetryBuffer<SessionLogEntry>;
  recording?: TelemetryBuffer<RecordingEvent>;
}

export interface ObserverOptions {
  /** ws://127.0.0.1:<port><browserPath>: the browser's own DevTools socket on loopback. */
  browserUrl: string;
  /** What every target is armed for: the recorder (and its binding), the network log. */
  record: boolean;
  log: boolean;
  /** Given now, or later with bind() (a warm browser's observer, armed before it has a session). */
  sinks?: ObserverSinks;
  /** What the session makes of each target before it runs (sessions/target-shaper.ts); given now or with bind(). */
  shaper?: TargetShaper;
  logger: Logger;
}

/**
 * One session's observer: the node's own CDP connection to the session's browser, attached to
 * every page and iframe target (the first page, new tabs, popups, out-of-process iframes) with
 * one node session per target, so a binding call is seen once (data-plane-notes §2).
 *
 * What a page does reaches the node only as binding payloads and CDP events, both treated as
 * hostile: parsed in try/catch, size-checked before parsing, validated per event, counted against
 * the session's caps. The page never gets anything back: the binding is one-way, and this
 * connection is the node's alone (it is not the client's socket and never passes client input).
 */
export class SessionObserver {
  /** Page ids for this browser's targets, shared with the clients' log taps. */
  readonly pageIds = new PageIds();
  private sinks: ObserverSinks | undefined;
  private shaper: TargetShaper | undefined;
  private cdp: CdpConnection | undefined;
  /** Every target held, by the node's CDP session of it; only page and iframe targets are recorded and logged. */
  private readonly targets = new Map<string, ShapedTarget>();
  private readonly attachedTargetIds = new Set<string>();
  /** Target setups begun during start(): start() waits for them, so the first page is armed. */
  private starting: Promise<void>[] | undefined = [];

  constructor(private readonly options: ObserverOptions) {
    this.sinks = options.sinks;
    this.shaper = options.shaper;
  }

  /**
   * The session this observer's browser now serves: from here on what it sees is that session's,
   * and its shaper shapes the targets open now (a warm browser's about:blank) and every later one.
   */
  async bind(sinks: ObserverSinks, shaper?: TargetShaper): Promise<void> {
    this.sinks = sinks;
    this.shaper = shaper;
    const cdp = this.cdp;
    if (!shaper || !cdp) return;
    await Promise.all([...this.targets.values()].map((target) => this.shapeTarget(shaper, cdp, target)));
  }

  /** False once the browser's socket has closed (the browser is gone): a warm browser's observer is then of no use. */
  get open(): boolean {
    return this.cdp?.open ?? false;
  }

  /** Resolves once every page already open records and logs; new targets are armed as they appear. */
  async start(): Promise<void> {
    this.cdp = await CdpConnection.open(this.options.browserUrl, (e) => this.onEvent(e));
    await this.cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    // Browser-level auto-attach covers the pages open now on current Chromium; getTargets makes
    // sure of the warm browser's about:blank on any version (a second attach is detached again).
    const { targetInfos } = (await this.cdp.send('Target.getTargets')) as { targetInfos?: Array<{ targetId: string; type: string }> };
    for (const t of targetInfos ?? []) {
      if (t.type === 'page' && !this.attachedTargetIds.has(t.targetId)) await this.cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: true }).catch(() => undefined);
    }
    const setups = this.starting ?? [];
    this.starting = undefined;
    await Promise.all(setups);
  }

  /**
   * Has every recorded document hand over its batch now (a release is about to kill the browser).
   * Chromium sends a binding call's event before the answer to the evaluate that made it, so once
   * every answer is in, their batches are in the buffer. A page that hangs keeps its evaluate
   * unanswered: the caller bounds the wait (SessionHook.ending).
   */
  async flushPages(): Promise<void> {
    const cdp = this.cdp;
    if (!cdp || !this.sinks?.recording || this.sinks.recording.full) return;
    await Promise.all(
      [...this.targets.values()]
        .filter((t) => DOCUMENT_TARGETS.has(t.type))
        .map((t) => cdp.send('Runtime.evaluate', { expression: RECORDER_FLUSH_EXPRESSION, returnByValue: true }, t.sessionId).catch(() => undefined)),
    );
  }

  /** Stops observing (the browser is gone or going); the caller ends the buffers. */
  close(): void {
    this.cdp?.close();
  }

  private onEvent(e: CdpEvent): void {
    try {
      const target = e.sessionId ? this.targets.get(e.sessionId) : undefined;
      if (target && this.cdp && this.shaper?.event?.(this.cdp, e, target)) return;
      if (e.method === 'Target.attachedToTarget') this.attached(e.params);
      else if (e.method === 'Target.detachedFromTarget') this.detached(String(e.params.sessionId));
      else if (e.method === 'Runtime.bindingCalled') this.bindingCalled(e);
      else if (LOGGED_EVENTS.has(e.method)) this.logEvent(e);
    } catch (err) {
      this.options.logger.warn({ err, sessionId: this.sinks?.sessionId, method: e.method }, 'telemetry: could not handle a CDP event');
    }
  }

  private attached(params: Record<string, unknown>): void {
    const sessionId = String(params.sessionId);
    const info = (params.targetInfo ?? {}) as { targetId?: string; type?: string; url?: string };
    const cdp = this.cdp!;
    const targetId = String(info.targetId);
    if (this.attachedTargetIds.has(targetId)) {
      void cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
      return;
    }
    const type = info.type ?? '';
    const shaper = this.shaper;
    if (shaper && WORKER_TARGETS.has(type)) {
      // Shaped, then run; held until it ends, as what was set on it lasts only while the node's session does.
      const target: ShapedTarget = { sessionId, targetId, type, pageId: -1 };
      this.attachedTargetIds.add(targetId);
      this.targets.set(sessionId, target);
      void this.shapeTarget(shaper, cdp, target).then(() => cdp.send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => undefined));
      return;
    }
    if (!DOCUMENT_TARGETS.has(type)) {
      // A worker waits for its debuggers like a page does: let it run, and leave it alone.
      void cdp
        .send('Runtime.runIfWaitingForDebugger', {}, sessionId)
        .then(() => cdp.send('Target.detachFromTarget', { sessionId }))
        .catch(() => undefined);
      return;
    }
    this.attachedTargetIds.add(targetId);
    this.targets.set(sessionId, { sessionId, targetId, type, pageId: this.pageIds.of(targetId) });
    // A page open before the session (the warm browser's about:blank) has nothing to record, and
    // running rrweb in it would be waited for by every session's start: only new documents get it.
    const runImmediately = !(this.starting && info.url === 'about:blank');
    const setup = this.arm(sessionId, runImmediately).catch((err: unknown) => {
      // A target that closed while being armed is normal (a popup that shut itself).
      this.options.logger.debug({ err, sessionId: this.sinks?.sessionId, targetId }, 'telemetry: could not arm a target');
    });
    this.starting?.push(setup);
  }

  /** A target that comes back under the same id (an iframe swapping processes) is armed again. */
  private detached(sessionId: string): void {
    const target = this.targets.get(sessionId);
    if (!target) return;
    this.targets.delete(sessionId);
    this.attachedTargetIds.delete(target.targetId);
  }

  /** A shaper's failure on one target is that target's (it closed meanwhile, typically): logged, and the target runs. */
  private shapeTarget(shaper: TargetShaper, cdp: CdpConnection, target: ShapedTarget): Promise<void> {
    return shaper.shape(cdp, target).catch((err: unknown) => {
      this.options.logger.debug({ err, sessionId: this.sinks?.sessionId, targetId: target.targetId, type: target.type }, 'could not shape a target');
    });
  }

  /** Recorder, network log and shaping first, then the target may run (it waited for us since it started). */
  private async arm(sessionId: string, runImmediately: boolean): Promise<void> {
    const cdp = this.cdp!;
    const calls: Promise<unknown>[] = [];
    const target = this.targets.get(sessionId);
    if (this.shaper && target) calls.push(this.shapeTarget(this.shaper, cdp, target));
    if (this.options.record) {
      calls.push(cdp.send('Runtime.addBinding', { name: RECORDER_BINDING }, sessionId));
      calls.push(cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: recorderScript(), runImmediately }, sessionId));
    }
    calls.push(cdp.send('Page.enable', {}, sessionId));
    if (this.options.log) calls.push(cdp.send('Network.enable', {}, sessionId));
    calls.push(cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId));
    // Whatever failed, the target runs: a target left waiting would hang its page for good.
    const failed = (await Promise.allSettled(calls)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    await cdp.send('Runtime.runIfWaitingForDebugger', {}, sessionId);
    if (failed) throw failed.reason;
  }

  /**
   * After a top-frame navigation. A popup's binding is gone once it leaves its first about:blank,
   * so it is added again (harmless when it exists). And a popup opened with a URL reuses the
   * Window of its initial about:blank, where the new-document script does not run again
   * (measured, Chromium 14x): a document found unrecorded gets the recorder evaluated into it;
   * the guard on `document` keeps that from starting a second recorder anywhere else.
   */
  private async rearm(cdp: CdpConnection, sessionId: string): Promise<void> {
    try {
      await cdp.send('Runtime.addBinding', { name: RECORDER_BINDING }, sessionId);
      const probe = (await cdp.send('Runtime.evaluate', { expression: 'document.__hangarRecording === true', returnByValue: true }, sessionId)) as { result?: { value?: unknown } };
      if (probe.result?.value !== true) await cdp.send('Runtime.evaluate', { expression: recorderScript() }, sessionId);
    } catch {
      // The target went away meanwhile.
    }
  }

  private bindingCalled(e: CdpEvent): void {
    const recording = this.sinks?.recording;
    // Past the cap a page's batches are not even parsed: flooding the binding costs the node nothing more.
    if (!recording || recording.full || e.params.name !== RECORDER_BINDING || !e.sessionId || !DOCUMENT_TARGETS.has(this.targets.get(e.sessionId)?.type ?? '')) return;
    const payload = e.params.payload;
    if (typeof payload !== 'string') return;
    if (payload.length > MAX_BINDING_PAYLOAD_CHARS) return recording.refused(`a page sent a recording batch of ${payload.length} characters`, payload.length);
    let batch: unknown;
    try {
      batch = JSON.parse(payload);
    } catch {
      return;
    }
    if (!Array.isArray(batch)) return;
    for (const event of batch) {
      const valid = recordingEvent(event, this.sinks!.sessionId);
      if (valid) recording.add(valid);
    }
  }

  private logEvent(e: CdpEvent): void {
    const target = e.sessionId ? this.targets.get(e.sessionId) : undefined;
    if (!target || !DOCUMENT_TARGETS.has(target.type)) return;
    const cdp = this.cdp!;
    const frame = (e.params.frame ?? {}) as { id?: unknown; parentId?: unknown; loaderId?: unknown };
    if (e.method === 'Page.frameNavigated' && frame.parentId === undefined && this.options.record) void this.rearm(cdp, e.sessionId!);
    const logs = this.sinks?.logs;
    if (!logs) return;
    const params = redactHeaders(e.params);
    const frameId = typeof e.params.frameId === 'string' ? e.params.frameId : typeof frame.id === 'string' ? frame.id : undefined;
    const loaderId = typeof e.params.loaderId === 'string' ? e.params.loaderId : typeof frame.loaderId === 'string' ? frame.loaderId : undefined;
    const now = Date.now();
    logs.add({
      method: e.method,
      pageId: target.pageId,
      sessionId: this.sinks!.sessionId,
      ...(frameId ? { frameId } : {}),
      ...(loaderId ? { loaderId } : {}),
      timestamp: now,
      request: { params, rawBody: JSON.stringify(params), timestamp: now },
    });
  }
}

/** One rrweb event from a page, or undefined when it is not shaped like one. */
function recordingEvent(event: unknown, sessionId: string): RecordingEvent | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return undefined;
  const { type, timestamp, data } = event as Record<string, unknown>;
  if (!Number.isInteger(type) || typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return undefined;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  return { data: data as Record<string, unknown>, sessionId, timestamp, type: type as number };
}
