import { Inject, Injectable } from '@nestjs/common';
import type { BrowserSettings, EndReason, EventMetadata } from '@hangar/contracts';
import { endReasonForBrowserExit, endStatusFor, persistsProfile, SessionRuleViolation, sessionAggregate, type NodePhase, type SessionCommand, type SessionState } from '@hangar/domain';
import { EVENT_STORE, executeCommand, type EventStore } from '@hangar/messaging';
import { KeyedQueue, LOGGER, type Logger } from '@hangar/runtime';
import type { ChromiumProcess } from '../chromium/chromium.process.js';
import type { LiveSession } from './live-session.js';

/**
 * What the data plane does around a session's browser (telemetry, files): each concern registers
 * one hook at boot. `started` runs once the browser is the session's, alongside the start's
 * answer and before any client's socket is spliced (LiveSession.ready); `ending` and `ended`
 * wait for it. `ended` runs once its whole process group is gone and before its folders are removed,
 * so what it keeps (downloads into the artifact store, the last telemetry) is still on disk.
 * A hook that fails is logged, never fatal to the teardown.
 */
export interface SessionHook {
  readonly name: string;
  /** A browser is about to enter the warm pool, with no session yet: prepare what does not depend on one. */
  warmed?(browser: ChromiumProcess): Promise<void>;
  started?(session: LiveSession): Promise<void>;
  /**
   * A release's last moment with the browser still running (telemetry asks pages to flush what
   * they hold). All hooks together, each cut off after ENDING_HOOK_MS, skipped when the browser
   * has already exited: a hung page cannot hold up a release.
   */
  ending?(session: LiveSession): Promise<void>;
  ended?(session: LiveSession): Promise<void>;
  /**
   * For a session whose profile outlives it (persistsProfile: a context with `persist: true`):
   * after its browser's graceful exit, with its whole group gone, and before SessionEnded, so
   * the end is recorded once what the session keeps is kept. Bounded by PERSIST_HOOK_MS; one
   * that fails or runs out is logged, and the session ends all the same.
   */
  persist?(session: LiveSession): Promise<void>;
}

const PERSIST_HOOK_MS = 60_000;

const ENDING_HOOK_MS = 300;

/** About ten seconds of retries: a NATS restart, not a long outage. */
const END_ATTEMPTS = 10;
const END_RETRY_MS = 1_000;

/**
 * The sessions this node holds and the one path by which they change. Every method that touches
 * a session's state runs inside `queue.run(sessionId, …)`; callers do that, so that a method
 * composed of several of these (stop = end) does not queue behind itself.
 */
@Injectable()
export class SessionRegistry {
  readonly live = new Map<string, LiveSession>();
  readonly queue = new KeyedQueue();
  /** Launches in flight, so capacity counts them and shutdown can wait for them. */
  private readonly launching = new Map<string, Promise<unknown>>();
  phase: NodePhase = 'serving';
  /** Profile dirs of ended sessions still being deleted. */
  private readonly removals = new Set<Promise<void>>();
  private readonly emptyWaiters: Array<() => void> = [];
  private readonly hooks: SessionHook[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** What the heartbeat says: the scheduler places nothing on a node that is not serving. */
  get draining(): boolean {
    return this.phase !== 'serving';
  }

  /** Sessions that occupy a slot: running, or with a browser on its way. */
  get sessionIds(): string[] {
    return [...new Set([...this.live.keys(), ...this.launching.keys()])];
  }

  /** Session starts under way (a fresh launch, or a warm browser's hand-out and SessionStarted). */
  get launchesInFlight(): number {
    return this.launching.size;
  }

  isLaunching(sessionId: string): boolean {
    return this.launching.has(sessionId);
  }

  trackLaunch<T>(sessionId: string, launch: Promise<T>): Promise<T> {
    this.launching.set(sessionId, launch);
    void launch
      .finally(() => {
        this.launching.delete(sessionId);
        this.slotFreed();
      })
      .catch(() => undefined);
    return launch;
  }

  async profilesRemoved(): Promise<void> {
    await Promise.allSettled([...this.removals]);
  }

  async launchesSettled(): Promise<void> {
    await Promise.allSettled([...this.launching.values()]);
  }

  addHook(hook: SessionHook): void {
    this.hooks.push(hook);
  }

  /** Every hook's `warmed`, together; one that fails is logged and the browser serves anyway. */
  async warmed(browser: ChromiumProcess): Promise<void> {
    await Promise.all(this.hooks.map((hook) => hook.warmed?.(browser).catch((err: unknown) => this.logger.error({ err, pid: browser.pid, hook: hook.name }, 'warm browser hook failed'))));
  }

  /**
   * Begins every hook's `started`, together, as `session.ready`; one that fails is logged and the
   * session goes on without it. Not awaited by the start: the time it takes (the telemetry
   * observer's arming) overlaps the answer's way to the client and the client's connect.
   */
  started(session: LiveSession): void {
    session.ready = Promise.all(
      this.hooks.map((hook) => hook.started?.(session).catch((err: unknown) => this.logger.error({ err, sessionId: session.id, hook: hook.name }, 'session start hook failed'))),
    ).then(() => undefined);
  }

  private async ending(session: LiveSession): Promise<void> {
    const hooks = this.hooks.filter((hook) => hook.ending);
    if (hooks.length === 0 || session.browser.hasExited) return;
    await Promise.all(
      hooks.map(async (hook) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([session.ready.then(() => hook.ending!(session)), new Promise((r) => (timer = setTimeout(r, ENDING_HOOK_MS)))]);
        } catch (err) {
          this.logger.error({ err, sessionId: session.id, hook: hook.name }, 'session ending hook failed');
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  private async persist(session: LiveSession): Promise<void> {
    await Promise.all(
      this.hooks.map(async (hook) => {
        if (!hook.persist) return;
        let timer: NodeJS.Timeout | undefined;
        try {
          const ranOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`took longer than ${PERSIST_HOOK_MS} ms`)), PERSIST_HOOK_MS)));
          await Promise.race([session.ready.then(() => hook.persist!(session)), ranOut]);
        } catch (err) {
          this.logger.error({ err, sessionId: session.id, hook: hook.name }, 'session persist hook failed: what the session keeps is not kept');
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  private async ended(session: LiveSession): Promise<void> {
    await session.ready;
    await Promise.all(this.hooks.map((hook) => hook.ended?.(session).catch((err: unknown) => this.logger.error({ err, sessionId: session.id, hook: hook.name }, 'session end hook failed'))));
  }

  /** Resolves once no session occupies a slot: at once when none does. */
  emptied(): Promise<void> {
    if (this.sessionIds.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  private slotFreed(): void {
    if (this.sessionIds.length === 0) for (const resolve of this.emptyWaiters.splice(0)) resolve();
  }

  /**
   * Makes a launched browser a live session. An exit nobody asked for ends the session, closed or
   * crashed (endReasonForBrowserExit).
   */
  register(sessionId: string, correlationId: string, browser: ChromiumProcess, requested: { projectId: string; browserSettings: BrowserSettings }): LiveSession {
    const session: LiveSession = { id: sessionId, correlationId, ...requested, browser, state: undefined, clients: new Map(), ready: Promise.resolve(), ending: false };
    this.live.set(sessionId, session);
    browser.onUnexpectedExit((exit) => {
      const { reason, detail } = endReasonForBrowserExit(exit);
      void this.queue
        .run(sessionId, async () => {
          if (this.live.get(sessionId) !== session || session.ending) return;
          await this.end(session, reason, { correlationId }, detail);
        })
        .catch((err: unknown) => this.logger.error({ err, sessionId }, 'could not end the session after its browser exited'));
    });
    return session;
  }

  /** Decides and appends one command against the session's stream; remembers the new state. */
  /** `known`: the session's state as handed over with its start, used until the node has its own. */
  async apply(session: LiveSession, command: SessionCommand, meta: EventMetadata, known?: SessionState): Promise<SessionState> {
    const { state } = await executeCommand(this.store, sessionAggregate, session.id, command, meta, session.state ?? known);
    session.state = state;
    return state;
  }

  /**
   * The end must reach the log even across a short NATS outage, or the session would read RUNNING
   * for a browser that is gone: retry for a while. Past that, the profile dir left behind makes
   * the node's next start record the end (NODE_RESTARTED).
   */
  private async applyEnd(session: LiveSession, command: Extract<SessionCommand, { type: 'End' }>, meta: EventMetadata): Promise<SessionState> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.apply(session, command, meta);
      } catch (err) {
        if (err instanceof SessionRuleViolation || attempt >= END_ATTEMPTS) throw err;
        this.logger.warn({ err, sessionId: session.id, attempt }, 'could not record the session end yet; retrying');
        await new Promise((r) => setTimeout(r, END_RETRY_MS));
      }
    }
  }

  /**
   * Runs the ending hooks (bounded), closes the clients, kills the browser, then appends SessionEnded. The event promises that the
   * browser is gone: it is written once SIGKILL has been delivered to the browser's whole process
   * group (a signal no process can catch or ignore), without waiting the ~20 ms the kernel takes
   * to reap the tree. That wait, and the profile's deletion after it (thousands of small files),
   * finish in the background; shutdown waits for them, and a group that outlives its SIGKILL is
   * logged as an error (chromium.process.ts).
   */
  async end(session: LiveSession, reason: EndReason, meta: EventMetadata, detail?: string): Promise<SessionState> {
    const t0 = performance.now();
    await this.ending(session);
    const endingMs = Math.round(performance.now() - t0);
    // A profile that outlives the session is flushed by Chromium's own shutdown, and kept before the end is recorded.
    const keeps = persistsProfile(session.browserSettings) && this.hooks.some((hook) => hook.persist);
    const gone = this.kill(session, keeps);
    if (keeps) {
      await gone;
      await this.persist(session);
    }
    const proxyBytes = session.browser.egress.proxyBytes();
    const state = await this.applyEnd(session, { type: 'End', reason, ...(detail ? { detail } : {}), ...(proxyBytes ? { proxyBytes } : {}) }, meta);
    this.logger.debug({ sessionId: session.id, endingMs, recordMs: Math.round(performance.now() - t0) }, 'session end timing');
    const removal = gone
      .then(() => this.ended(session))
      .then(() => session.browser.removeProfile())
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
    this.logger.info({ sessionId: session.id, status: endStatusFor(reason), reason, correlationId: meta.correlationId }, 'session ended');
    return state;
  }

  /**
   * Closes the clients, signals the group and frees the slot; resolves once the group is gone.
   * Not graceful: SIGKILL, out when this returns (teardown() signals before its first await).
   * Graceful: Browser.close first, and SIGKILL after the browser's exit or its grace period.
   */
  private kill(session: LiveSession, graceful = false): Promise<void> {
    session.ending = true;
    for (const client of session.clients.values()) client.pipe.close();
    const gone = session.browser.teardown({ graceful });
    if (this.live.get(session.id) === session) {
      this.live.delete(session.id);
      this.slotFreed();
    }
    return gone;
  }

  /** Tears the browser down and forgets the session, without an event. */
  async discard(session: LiveSession, options: { keepProfile?: boolean } = {}): Promise<void> {
    await this.kill(session);
    if (!options.keepProfile) await session.browser.removeProfile();
  }
}
