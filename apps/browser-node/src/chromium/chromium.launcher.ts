import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserSettings } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';
import type { EgressGuard } from '../egress/egress-guard.js';
import { SessionProxy } from '../egress/session-proxy.js';
import type { BrowserIsolation, BrowserPlace } from '../isolation/browser-isolation.service.js';
import { chromiumArgs } from './chromium.flags.js';
import { ChromiumProcess, type ExitTimeouts } from './chromium.process.js';
import { ownGroup, releaseGroup } from './owned-groups.js';
import { signalGroup, waitGroupsGone } from '@hangar/chromium';

export class LaunchFailed extends Error {}

export interface LaunchOptions extends Partial<ExitTimeouts> {
  chromePath: string;
  /**
   * The browser's folder, `<profilesRoot>/<sessionId>` or `<profilesRoot>/warm.<uuid>` for the
   * warm pool: its profile, downloads, uploads and home are inside (isolation/browser-folders.ts).
   */
  folder: string;
  /** Who the browser runs as and how it is fenced. */
  isolation: BrowserIsolation;
  /** The egress policy its front proxy applies (egress/). */
  egressGuard: EgressGuard;
  browserSettings: BrowserSettings;
  /**
   * Started through `chrt --idle 0` (it execs, so the pid is still Chromium's): every thread and
   * helper inherits SCHED_IDLE from the first instruction on and gets CPU only when nothing else
   * wants it: a warm-pool refill. Not `nice`: Chromium sets absolute nice values on its threads
   * (-8, 0, 5 seen on Chromium 156), which undid `nice -n 10` on every thread; it leaves the
   * policy alone.
   */
  idleScheduling?: { chrtPath: string };
  /**
   * The nice value of the browser's autogroup. Spawned detached, each Chromium is a session of its
   * own, and where the kernel groups sessions for scheduling (autogroup, on most desktop and
   * server kernels; not inside a container's cgroup) each one weighs as much as all the node's
   * services together: under load the proxies, the scheduler and the projector then waited
   * behind the browsers. A positive value lets the control plane go first; the browsers share
   * whatever it leaves, as before. Skipped where there is no autogroup.
   */
  autogroupNice?: number;
  headless: boolean;
  /** Puts the session's context profile into its profile folder before Chromium starts (contexts/). */
  prepareProfile?: (place: BrowserPlace) => Promise<PreparedProfile | void>;
  /** Puts the session's extension in its place before Chromium starts; answers its folder. */
  prepareExtension?: (place: BrowserPlace) => Promise<string>;
  timeoutMs: number;
  /** Carries the session's fields (sessionId, correlationId), or the warm profile's. */
  logger: Logger;
  /** Called once the browser's teardown has seen its whole group gone (ChromiumProcess). */
  onGoneConfirmed?: () => void;
}

const DEVTOOLS_LINE = /DevTools listening on (ws:\/\/[^\s]+)/;
const STDERR_TAIL_BYTES = 4096;

/**
 * Starts one Chromium (a session's, or a warm one) as an owned resource: its own process group
 * (detached), so teardown can signal the whole tree and prove it exited; its own profile dir under
 * `profilesRoot`, so the orphan sweep can find it after a crash of this process. Resolves once
 * Chromium prints its DevTools address; a launch that does not get there in `timeoutMs` is killed
 * with its whole group.
 */
function setAutogroupNice(pid: number, nice: number): void {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // No autogroup (disabled, or a cgroup does the grouping), or the process is already gone.
  }
}

/** A profile put in place while Chromium may already start: `finished` settles once all of it is written. */
export interface PreparedProfile {
  readonly finished: Promise<void>;
}

export async function launchChromium(options: LaunchOptions): Promise<ChromiumProcess> {
  const { logger, idleScheduling, isolation } = options;
  await mkdir(path.dirname(options.folder), { recursive: true });
  const place = await isolation.place(options.folder);
  const { folders } = place;
  let extensionDir: string | undefined;
  let profileFinished: Promise<void> | undefined;
  let egress: SessionProxy | undefined;
  // Nothing may still write into the folders once they are released.
  const release = async () => {
    await egress?.close();
    await profileFinished?.catch(() => undefined);
    await place.release();
  };
  try {
    egress = await SessionProxy.start(logger, options.egressGuard);
    profileFinished = (await options.prepareProfile?.(place))?.finished;
    extensionDir = options.prepareExtension ? await options.prepareExtension(place) : undefined;
  } catch (err) {
    await release().catch(() => undefined);
    throw new LaunchFailed(err instanceof Error ? err.message : String(err));
  }
  const args = chromiumArgs({ profileDir: folders.profile, browserSettings: options.browserSettings, headless: options.headless, sandbox: isolation.plan.sandbox, extensionDir, proxyPort: egress.port });
  const [browserCommand, browserArgs]: [string, string[]] = idleScheduling
    ? [idleScheduling.chrtPath, ['--idle', '0', options.chromePath, ...args]]
    : [options.chromePath, args];
  const { command, args: commandArgs, env } = place.command(browserCommand, browserArgs);
  // The session folder as the working directory: a relative download path a client names (as
  // Browserbase documents `"downloads"`) resolves inside it, never in the node's folder.
  const child = spawn(command, commandArgs, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env, cwd: folders.root });
  const started = Date.now();
  if (child.pid !== undefined) {
    ownGroup(child.pid);
    if (options.autogroupNice) setAutogroupNice(child.pid, options.autogroupNice);
  }

  let stderrTail = '';
  const stderr = child.stderr!;
  stderr.setEncoding('utf8');
  // Drained for the process's whole life: an unread pipe fills at 64 KiB and Chromium then blocks
  // on its next log line, which looks exactly like a hung browser.
  stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  try {
    const endpoint = await new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LaunchFailed(`Chromium did not start within ${options.timeoutMs} ms`)), options.timeoutMs);
      const onData = () => {
        const match = DEVTOOLS_LINE.exec(stderrTail);
        if (!match) return;
        clearTimeout(timer);
        stderr.off('data', onData);
        resolve(new URL(match[1]!));
      };
      stderr.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new LaunchFailed(`could not run ${command}: ${err.message}`));
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new LaunchFailed(`Chromium exited during launch (code ${code}, signal ${signal}): ${stderrTail.trim().slice(-500)}`));
      });
    });
    // The stores the profile restore writes while Chromium starts are whole before anything
    // (a client, the observer's pages) reaches the browser.
    await profileFinished?.catch((err: unknown) => {
      logger.warn({ err, pid: child.pid }, 'the profile restore failed after Chromium started: tearing it down');
      throw new LaunchFailed(err instanceof Error ? err.message : String(err));
    });
    // Its DevTools port is Hangar's own from now on: no other browser may connect to it.
    egress.holdDevtoolsPort(Number(endpoint.port));
    const browser = new ChromiumProcess({
      pid: child.pid!,
      port: Number(endpoint.port),
      browserPath: endpoint.pathname,
      place,
      egress,
      exited,
      stderrTail: () => stderrTail,
      logger,
      timeouts: options,
      onGoneConfirmed: options.onGoneConfirmed,
    });
    logger.info({ pid: child.pid, port: browser.port, launchMs: Date.now() - started, ...(idleScheduling ? { scheduling: 'idle' } : {}) }, 'chromium started');
    return browser;
  } catch (err) {
    // Whatever got started (the wrapper script, a half-initialised browser) goes with its group.
    if (child.pid !== undefined) {
      signalGroup(child.pid, 'SIGKILL');
      if (await waitGroupsGone([child.pid], 5_000)) releaseGroup(child.pid);
      else logger.error({ pid: child.pid }, 'chromium from a failed launch did not exit');
    }
    await release().catch((releaseErr: unknown) => logger.error({ err: releaseErr }, 'could not release a failed launch\'s user and folders'));
    throw err instanceof LaunchFailed ? err : new LaunchFailed(String(err));
  }
}
