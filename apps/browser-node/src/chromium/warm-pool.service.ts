import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@hangar/runtime';
import { EgressGuard } from '../egress/egress-guard.js';
import type { NodeConfig } from '../env.js';
import { BrowserIsolation } from '../isolation/browser-isolation.service.js';
import { NodeMetrics } from '../node/node-metrics.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NODE_CONFIG } from '../tokens.js';
import { LaunchFailed, launchChromium } from './chromium.launcher.js';
import type { ChromiumProcess } from './chromium.process.js';
import { firstPageListed } from './first-page.js';
import { canLeaveIdleScheduling } from '@hangar/chromium';
import { leaveIdleScheduling } from './process-scheduling.js';
import { markSession, warmProfileDir } from './warm-profile.js';

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * Chromium processes started ahead of demand, each with its own process group and profile dir
 * (`<profilesRoot>/warm.<uuid>`), its first page open and its DevTools port known. A session whose
 * settings fit the pool's command line takes one instead of waiting for a launch; a warm browser
 * serves one session only and is torn down after it like any other (isolation first).
 *
 * Capacity: warm browsers are not sessions. `maxSessions` still bounds the sessions alone, and the
 * pool adds at most its size in processes: at most maxSessions + poolSize browsers at any time
 * (a refill launches only while fewer than poolSize are warm, one at a time).
 *
 * Refills never compete with sessions: one launch at a time, none while a session start is under
 * way, none while draining or stopping, and each under SCHED_IDLE (when the node can take that
 * back: process-scheduling.ts) until its first page is there. It returns to normal scheduling
 * before it joins the pool, not at hand-out: an idle browser wants no CPU, so idle scheduling
 * only matters while it launches, and the hand-out stays free of process spawning. A start never
 * waits for a refill: an empty pool means a fresh launch.
 */
@Injectable()
export class WarmPool {
  private readonly ready: ChromiumProcess[] = [];
  /** Teardowns of warm browsers that died or could not be handed out; the close waits for them. */
  private readonly disposing = new Set<Promise<void>>();
  /** `chrt`, while refills run SCHED_IDLE. */
  private chrtPath: string | undefined;
  private filling: Promise<void> | undefined;
  private refillAgain = false;
  private closing: Promise<void> | undefined;
  private wakeUp: () => void = () => undefined;
  private readonly closed = new Promise<void>((resolve) => (this.wakeUp = resolve));

  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: SessionRegistry,
    private readonly isolation: BrowserIsolation,
    private readonly metrics: NodeMetrics,
    private readonly egress: EgressGuard,
  ) {
    this.chrtPath = config.chrtPath && canLeaveIdleScheduling() ? config.chrtPath : undefined;
  }

  /** Warm browsers ready to hand out now: the heartbeat's `warmSlots`. */
  get size(): number {
    return this.ready.length;
  }

  /** Begins filling; called once the orphan sweep is done and the node has joined. */
  start(): void {
    if (this.config.warmPoolSize === 0) return;
    if (!this.chrtPath) {
      this.logger.info({ chrtPath: this.config.chrtPath }, 'warm-pool refills run at normal priority: no chrt, or no CAP_SYS_NICE to leave SCHED_IDLE again');
    }
    this.refill();
  }

  /**
   * A warm browser for `sessionId`, or undefined when none is ready. The session id goes into the
   * profile before the browser is returned (warm-profile.ts): from then on a crash of the node
   * leaves a dir the orphan sweep reads as this session's.
   */
  async handOut(sessionId: string, logger: Logger): Promise<ChromiumProcess | undefined> {
    for (let browser = this.ready.shift(); browser; browser = this.ready.shift()) {
      try {
        await markSession(browser.folders.root, sessionId);
      } catch (err) {
        logger.warn({ err, pid: browser.pid }, 'could not hand out a warm browser; discarding it');
        await this.dispose(browser);
        continue;
      }
      // Lost while the marker was written: its exit went to the pool's listener, which no longer
      // holds it. Nothing can exit between this check and the caller's register (no await).
      if (browser.hasExited) {
        void this.dispose(browser);
        continue;
      }
      browser.adopt(logger);
      return browser;
    }
    return undefined;
  }

  /** Tops the pool up in the background; a no-op while a refill runs (it loops until full). */
  refill(): void {
    if (this.config.warmPoolSize === 0 || this.closing) return;
    if (this.filling) {
      this.refillAgain = true;
      return;
    }
    this.filling = this.fill()
      .catch((err: unknown) => this.logger.error({ err }, 'warm-pool refill stopped'))
      .finally(() => {
        this.filling = undefined;
        if (this.refillAgain) {
          this.refillAgain = false;
          this.refill();
        }
      });
  }

  /** Stops refilling and tears every warm browser down (group killed and confirmed, dir removed). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Out of the pool at once (the heartbeat says 0 from now on); a launch in flight is
      // disposed of by the refill loop, which ends with it.
      const browsers = this.ready.splice(0);
      this.wakeUp();
      await Promise.all([this.filling, ...browsers.map((b) => this.dispose(b)), ...this.disposing]);
      if (browsers.length > 0) this.logger.info({ pids: browsers.map((b) => b.pid) }, 'warm browsers torn down');
    })();
    return this.closing;
  }

  private wanted(): boolean {
    return !this.closing && this.registry.phase === 'serving' && this.ready.length < this.config.warmPoolSize;
  }

  private async fill(): Promise<void> {
    let failures = 0;
    for (;;) {
      // Sessions first: a refill waits until no start is under way.
      while (this.registry.launchesInFlight > 0 && !this.closing) await Promise.race([this.registry.launchesSettled(), this.closed]);
      if (!this.wanted()) return;
      try {
        const browser = await this.launch();
        // The data plane's preparations (telemetry's observer) before it can be handed out.
        await this.registry.warmed(browser);
        if (!this.wanted()) {
          // Closed (or the node began draining) while it launched.
          await this.dispose(browser);
          return;
        }
        failures = 0;
        this.ready.push(browser);
        this.logger.debug({ pid: browser.pid, warmSlots: this.ready.length }, 'warm browser ready');
      } catch (err) {
        failures++;
        const retryInMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1));
        this.logger.warn({ err, retryInMs }, 'could not start a warm browser');
        await Promise.race([new Promise((r) => setTimeout(r, retryInMs).unref()), this.closed]);
      }
    }
  }

  private async launch(): Promise<ChromiumProcess> {
    const folder = warmProfileDir(this.config.profilesRoot);
    const logger = this.logger.child({ folder });
    const startedAt = Date.now();
    const browser = await launchChromium({
      chromePath: this.config.chromePath,
      folder,
      isolation: this.isolation,
      egressGuard: this.egress,
      browserSettings: {},
      headless: this.config.headless,
      timeoutMs: this.config.launchTimeoutMs,
      autogroupNice: this.config.autogroupNice,
      logger,
      // A warm browser handed to a session is torn down as that session's: counted once either way.
      onGoneConfirmed: () => this.metrics.teardownsConfirmed.inc(),
      ...(this.chrtPath ? { idleScheduling: { chrtPath: this.chrtPath } } : {}),
    });
    browser.onUnexpectedExit(() => this.lost(browser));
    try {
      const exited = browser.exited.then(({ code, signal }) => {
        throw new LaunchFailed(`Chromium exited before its first page was listed (code ${code}, signal ${signal})`);
      });
      await Promise.race([firstPageListed(browser.port, Math.max(0, this.config.launchTimeoutMs - (Date.now() - startedAt))), exited]);
      // Never in the pool while idle-scheduled: a session would get CPU only when nobody else wants it.
      if (this.chrtPath && !(await leaveIdleScheduling(this.chrtPath, browser.pid))) {
        // Something (a seccomp profile, a policy) forbids it despite the capability: stop trying.
        this.chrtPath = undefined;
        this.logger.warn('could not move a warm browser back to normal scheduling; refills run at normal priority from now on');
        throw new LaunchFailed('could not move the warm browser back to normal scheduling');
      }
    } catch (err) {
      await this.dispose(browser);
      throw err;
    }
    logger.debug({ pid: browser.pid, readyMs: Date.now() - startedAt }, 'warm browser started');
    return browser;
  }

  /** A warm browser that exited while waiting (crash, OOM kill): gone from the pool, replaced. */
  private lost(browser: ChromiumProcess): void {
    const i = this.ready.indexOf(browser);
    if (i < 0) return;
    this.ready.splice(i, 1);
    void this.dispose(browser).then(() => this.refill());
  }

  private dispose(browser: ChromiumProcess): Promise<void> {
    const done = browser
      .teardown()
      .then(() => browser.removeProfile())
      .catch((err: unknown) => this.logger.error({ err, pid: browser.pid }, 'could not tear a warm browser down'))
      .finally(() => this.disposing.delete(done));
    this.disposing.add(done);
    return done;
  }
}
