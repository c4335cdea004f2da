import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Chromium's managed policy for every session's browser. Chromium reads it from a fixed folder
 * (`/etc/chromium/policies/managed` for Debian's Chromium, `/etc/opt/chrome/policies/managed`
 * for Google Chrome): the jail (jail.ts) binds the node's copy over that folder in the browser's
 * own mount namespace, so the host's other Chromium users are not affected; a container image
 * installs it there itself.
 *
 * URLBlocklist closes the local schemes to pages and CDP clients alike, for top-level
 * navigations, iframes, `fetch`, `window.open` and `Target.createTarget` (Chromium 156, measured:
 * `net::ERR_BLOCKED_BY_ADMINISTRATOR`). `file:` lists and reads the host; `chrome:` pages show the
 * command line and internals; `view-source:` and `filesystem:` wrap other schemes.
 */
export const CHROMIUM_POLICY = {
  URLBlocklist: ['file://*', 'chrome://*', 'chrome-untrusted://*', 'view-source:*', 'filesystem:*', 'devtools://*'],
  // Nothing of the session is reported to Google. File choosers stay allowed: Puppeteer's
  // `waitForFileChooser().accept()` goes through one (with paths the CDP guard confines).
  MetricsReportingEnabled: false,
} as const;

export const POLICY_FILE_NAME = 'hangar.json';

/** Where a Chromium binary reads its managed policies. */
export function policyMountPoint(chromePath: string): string {
  return chromePath.includes('/opt/google/chrome') ? '/etc/opt/chrome/policies' : '/etc/chromium/policies';
}

/**
 * Writes `<dataDir>/policies/managed/hangar.json` (readable by the browser users: Chromium reads it
 * as the browser's user) and returns `<dataDir>/policies`, the folder the jail binds.
 */
export function writePolicyFolder(dataDir: string): string {
  const root = path.join(dataDir, 'policies');
  const managed = path.join(root, 'managed');
  mkdirSync(managed, { recursive: true, mode: 0o755 });
  chmodSync(root, 0o755);
  chmodSync(managed, 0o755);
  const file = path.join(managed, POLICY_FILE_NAME);
  writeFileSync(file, `${JSON.stringify(CHROMIUM_POLICY, null, 2)}\n`, { mode: 0o644 });
  chmodSync(file, 0o644);
  return root;
}

/** Whether the host's own policy folder already carries Hangar's policy (a container image). */
export function hostHasPolicy(chromePath: string): boolean {
  const file = path.join(policyMountPoint(chromePath), 'managed', POLICY_FILE_NAME);
  if (!existsSync(file)) return false;
  try {
    const installed = JSON.parse(readFileSync(file, 'utf8')) as { URLBlocklist?: string[] };
    return CHROMIUM_POLICY.URLBlocklist.every((entry) => installed.URLBlocklist?.includes(entry));
  } catch {
    return false;
  }
}
