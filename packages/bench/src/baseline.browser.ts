import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_HOST_FLAGS } from '@hangar/chromium';

/**
 * The browser-node's command line (apps/browser-node/src/chromium/chromium.flags.ts) for a session
 * with default settings, minus the per-session profile dir, which launchBaseline makes and deletes.
 * The shared switches come from the one list both use.
 */
export const NODE_FLAGS = [
  '--headless=new',
  ...CHROMIUM_HOST_FLAGS,
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
  '--window-size=1024,768',
  '--ignore-certificate-errors',
  'about:blank',
] as const;

/** Every baseline browser's pid, which is also its process group (puppeteer spawns detached). */
export const baselinePids = new Set<number>();

const NOBODY = 65534;
const SETPRIV = '/usr/bin/setpriv';
const asRoot = process.getuid?.() === 0;

/**
 * How the baseline browsers run. `sandboxed`: with Chromium's own sandbox, as an unprivileged user
 * (as root, `nobody` through setpriv): what the node's browsers run with (each as a user of its
 * own, sandbox on) and what any non-root user's puppeteer.launch gets. `unsandboxed`: with
 * --no-sandbox (as the bench's user), the bench's only way when setpriv is missing or the machine refuses the sandbox
 * (no unprivileged user namespaces); the rows then charge Hangar for a sandbox its baseline
 * skips, and the report says so.
 */
export type BaselineMode = 'sandboxed' | 'unsandboxed';

let mode: BaselineMode = !asRoot || existsSync(SETPRIV) ? 'sandboxed' : 'unsandboxed';
let profilesRoot = os.tmpdir();

/** Where baseline profiles go (the bench's data dir, removed at its end), and the mode found so far. */
export function configureBaseline(options: { profilesRoot: string }): void {
  profilesRoot = options.profilesRoot;
}

export function baselineMode(): BaselineMode {
  return mode;
}

/**
 * Plain `puppeteer.launch` of the same Chromium with the node's flags and nothing else. `as`
 * overrides the mode for one launch (row 8 reports the unsandboxed figure beside the other). A
 * sandboxed launch that fails switches the run to unsandboxed, once, rather than failing it.
 */
export async function launchBaseline(executablePath: string, as: BaselineMode = mode): Promise<Browser> {
  if (as === 'sandboxed') {
    try {
      return await launch(executablePath, 'sandboxed');
    } catch (err) {
      if (mode !== 'sandboxed') throw err;
      process.stderr.write(`[bench] a sandboxed baseline browser would not start (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); baselines run with --no-sandbox\n`);
      mode = 'unsandboxed';
    }
  }
  return launch(executablePath, 'unsandboxed');
}

async function launch(executablePath: string, as: BaselineMode): Promise<Browser> {
  const profile = mkdtempSync(path.join(profilesRoot, 'baseline-'));
  const dropRoot = as === 'sandboxed' && asRoot;
  if (dropRoot) chownSync(profile, NOBODY, NOBODY);
  // setpriv execs Chromium in its own place: the pid (and group) puppeteer sees is the browser's.
  const command = dropRoot ? { executablePath: SETPRIV, prefix: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', executablePath] } : { executablePath, prefix: [] };
  const sandbox = as === 'unsandboxed' ? ['--no-sandbox'] : [];
  const remove = () => rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  try {
    const browser = await puppeteer.launch({
      executablePath: command.executablePath,
      ignoreDefaultArgs: true,
      args: [...command.prefix, `--user-data-dir=${profile}`, ...sandbox, ...NODE_FLAGS],
      env: { ...process.env, HOME: profile },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const child = browser.process();
    if (child?.pid !== undefined) baselinePids.add(child.pid);
    if (child && child.exitCode === null) child.once('exit', remove);
    else remove();
    return browser;
  } catch (err) {
    remove();
    throw err;
  }
}
