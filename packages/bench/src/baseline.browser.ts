import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_HOST_FLAGS } from '@hangar/chromium';

/**
 * The browser-node's command line (apps/browser-node/src/chromium/chromium.flags.ts) for a session
 * with default settings, minus the per-session profile dir, which puppeteer makes and deletes
 * itself. The shared switches come from the one list both use.
 */
export const NODE_FLAGS = [
  '--headless=new',
  ...CHROMIUM_HOST_FLAGS,
  // Chromium refuses to run as root with its sandbox; the node's browsers run as users of their
  // own with it, which this plain launch by the bench (as root on CI) cannot do.
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
  '--window-size=1024,768',
  '--ignore-certificate-errors',
  'about:blank',
] as const;

/** Every baseline browser's pid, which is also its process group (puppeteer spawns detached). */
export const baselinePids = new Set<number>();

/** Plain `puppeteer.launch` of the same Chromium with the node's flags and nothing else. */
export async function launchBaseline(executablePath: string): Promise<Browser> {
  const browser = await puppeteer.launch({ executablePath, ignoreDefaultArgs: true, args: [...NODE_FLAGS], handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  const pid = browser.process()?.pid;
  if (pid !== undefined) baselinePids.add(pid);
  return browser;
}
