import WebSocket from 'ws';
import type { Logger } from '@hangar/runtime';
import type { SessionProxy } from '../egress/session-proxy.js';
import type { BrowserFolders } from '../isolation/browser-folders.js';
import type { BrowserPlace } from '../isolation/browser-isolation.service.js';
import type { BrowserUser } from '../isolation/browser-users.js';
import { releaseGroup } from './owned-groups.js';
import { signalGroup, waitGroupsGone } from '@hangar/chromium';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ExitTimeouts {
  /** How long a graceful teardown's Browser.close may take before the group gets SIGKILL. */
  gracefulExitMs: number;
  /** How long after SIGKILL the group may take to disappear before we report a leak. */
  confirmExitMs: number;
}

interface ChromiumProcessInit {
  pid: number;
  port: number;
  browserPath: string;
  place: BrowserPlace;
  egress: SessionProxy;
  exited: Promise<ExitInfo>;
  stderrTail: () => string;
  logger: Logger;
  timeouts: Partial<ExitTimeouts>;
  /** Once per browser, when its teardown has seen the whole group gone (the node's metrics). */
  onGoneConfirmed?: (() => void) | undefined;
}

/**
 * A running Chromium that this node owns. Its pid is also its process group id (it was spawned
 * detached). An exit nobody asked for is reported once to `onUnexpectedExit`; `teardown()` is the
 * only way the node ends a browser, and it is idempotent.
 */
export class ChromiumProcess {
  readonly pid: number;
  /** Chromium's DevTools port on loopback and the browser target's path on it. */
  readonly port: number;
  readonly browserPath: string;
  /** Its folder and subfolders (profile, downloads, uploads, home). */
  readonly folders: BrowserFolders;
  /** The OS user it runs as; undefined where the node cannot switch users (not root). */
  readonly user: BrowserUser | undefined;
  /** Its front proxy: where all of its traffic goes (egress/). Closed once the browser is gone. */
  readonly egress: SessionProxy;
  private readonly place: BrowserPlace;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private teardownStarted = false;
  private teardownDone: Promise<void> | undefined;
  private logger: Logger;
  private readonly timeouts: ExitTimeouts;
  private readonly stderrTail: () => string;
  private unexpectedExitListener: ((exit: ExitInfo) => void) | undefined;
  private readonly onGoneConfirmed: (() => void) | undefined;

  constructor(init: ChromiumProcessInit) {
    this.pid = init.pid;
    this.port = init.port;
    this.browserPath = init.browserPath;
    this.place = init.place;
    this.folders = init.place.folders;
    this.user = init.place.user;
    this.egress = init.egress;
    this.logger = init.logger;
    this.stderrTail = init.stderrTail;
    this.onGoneConfirmed = init.onGoneConfirmed;
    this.timeouts = { gracefulExitMs: init.timeouts.gracefulExitMs ?? 2_000, confirmExitMs: init.timeouts.confirmExitMs ?? 5_000 };
    this.exited = init.exited.then((exit) => {
      this.exitInfo = exit;
      if (!this.teardownStarted) {
        const clean = exit.code === 0 && exit.signal === null;
        this.logger[clean ? 'info' : 'warn']({ pid: this.pid, ...exit, ...(clean ? {} : { stderr: this.stderrTail().slice(-600) }) }, 'chromium exited on its own');
        this.unexpectedExitListener?.(exit);
      }
      return exit;
    });
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** One listener at a time: the warm pool's while the browser waits, then its session's. */
  onUnexpectedExit(listener: (exit: ExitInfo) => void): void {
    this.unexpectedExitListener = listener;
  }

  /** A warm browser handed to a session logs with the session's fields from then on. */
  adopt(logger: Logger): void {
    this.logger = logger;
  }

  /**
   * SIGKILL to the whole group, proof that the group is gone, and that is all: the profile dir is
   * deleted afterwards (removeProfile), so there is nothing for a graceful shutdown to flush, and
   * a SIGTERM shutdown costs ~100 ms of CPU and wall clock per session (cookies, prefs, history
   * written to a dir about to be deleted). `graceful: true` is for a profile that outlives the
   * session (a persisted context): Browser.close first (closeOverCdp), SIGKILL after the browser's
   * exit or `gracefulExitMs`. Either way the
   * SIGKILL goes to the group even after a clean exit: helpers can outlive the browser process
   * by seconds and keep writing into the profile, which made deleting it fail with ENOTEMPTY
   * (shared/research/performance-reliability.md §2.2).
   */
  teardown(options: { graceful?: boolean } = {}): Promise<void> {
    this.teardownStarted = true;
    this.teardownDone ??= this.destroy(options.graceful ?? false);
    return this.teardownDone;
  }

  private async destroy(graceful: boolean): Promise<void> {
    if (graceful && !this.hasExited) {
      await Promise.race([this.closeOverCdp(), this.exited]);
      await Promise.race([this.exited, delay(this.timeouts.gracefulExitMs)]);
    }
    signalGroup(this.pid, 'SIGKILL');
    // The browser process is our child: its exit is reaped at once. Its helpers follow within
    // milliseconds of the SIGKILL, so the group is polled briskly.
    await Promise.race([this.exited, delay(this.timeouts.confirmExitMs)]);
    if (await waitGroupsGone([this.pid], this.timeouts.confirmExitMs, 5)) {
      releaseGroup(this.pid);
      this.onGoneConfirmed?.();
    } else {
      // Nothing more a process can do about a process that survives SIGKILL (stuck in the
      // kernel); say so loudly rather than pretend, and still free the session.
      this.logger.error({ pid: this.pid }, 'chromium process group still alive after SIGKILL');
    }
    // Nothing of the browser is left to send through it; what it counted stays readable.
    await this.egress.close();
    this.logger.debug({ pid: this.pid }, 'chromium torn down');
  }

  /**
   * CDP `Browser.close` on the browser's own loopback port: Chromium's orderly shutdown, in which
   * its network and storage services write cookies and localStorage out. A SIGTERM does not do
   * that: to the group it killed those services first, and to the browser process alone the
   * saved profile still lacked its cookies in most runs (measured on Chromium 156); Browser.close
   * kept them every time. Settles on the answer, a closed socket, an error, or the grace period.
   */
  private closeOverCdp(): Promise<void> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${this.port}${this.browserPath}`);
      const timer = setTimeout(done, this.timeouts.gracefulExitMs);
      function done() {
        clearTimeout(timer);
        ws.terminate();
        resolve();
      }
      ws.once('open', () => ws.send(JSON.stringify({ id: 1, method: 'Browser.close' })));
      ws.once('message', done);
      ws.once('error', done);
      ws.once('close', done);
    });
  }

  /**
   * Deleted only once the session's end is in the log: a folder left behind is how the next start
   * of this node finds a session it could not end (NATS down during shutdown) and ends it. The
   * browser's user goes back to the host's pool with it, once nothing of it runs any more.
   */
  async removeProfile(): Promise<void> {
    await this.place.release().catch((err: unknown) => this.logger.error({ err, folder: this.folders.root }, 'could not remove the browser folder or free its user'));
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
