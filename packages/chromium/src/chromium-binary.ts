import { findOnPath, isExecutable } from '@hangar/runtime';

/**
 * Debian's real Chromium binary first: /usr/bin/chromium is a shell wrapper that
 * runs grep, findmnt and ls and sources /etc/chromium.d on every launch (tens of ms of CPU, and
 * switches of its own: remote extensions, GPU rasterization); the browser-node passes every
 * switch a session needs itself.
 */
export const CHROMIUM_CANDIDATES = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
] as const;

/**
 * `CHROME_PATH` when set (and it must then exist), else the usual install locations, then
 * `chromium` on the PATH. Shared by the browser-node, the local stack, the bench and the tests.
 */
export function findChromium(explicit?: string, searchPath?: string): string | undefined {
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  return CHROMIUM_CANDIDATES.find(isExecutable) ?? findOnPath('chromium', searchPath);
}
