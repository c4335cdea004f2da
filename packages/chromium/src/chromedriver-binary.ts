import { findOnPath, isExecutable } from '@hangar/runtime';

/** Debian's `chromium-driver` puts the binary next to Chromium's and links /usr/bin/chromedriver to it. */
export const CHROMEDRIVER_CANDIDATES = ['/usr/lib/chromium/chromedriver', '/usr/bin/chromedriver'] as const;

/**
 * `CHROMEDRIVER_PATH` when set (and it must then exist), else the usual install locations, then
 * `chromedriver` on the PATH; the same rule as findChromium. It must be Chromium's own version
 * (scripts/ensure-system.mjs installs Debian's `chromium-driver` pinned to the chromium package).
 */
export function findChromedriver(explicit?: string, searchPath?: string): string | undefined {
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  return CHROMEDRIVER_CANDIDATES.find(isExecutable) ?? findOnPath('chromedriver', searchPath);
}
