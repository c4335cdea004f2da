import { CHROMIUM_HOST_FLAGS } from '@hangar/chromium';
import type { BrowserSettings } from '@hangar/contracts';
import { DEFAULT_VIEWPORT } from '@hangar/domain';

export interface FlagOptions {
  /** `--user-data-dir`: the browser's `profile` folder (isolation/browser-folders.ts). */
  profileDir: string;
  browserSettings: BrowserSettings;
  headless: boolean;
  /** Chromium's own sandbox; off only where the host cannot give it (isolation/jail.ts). */
  sandbox: boolean;
  /** The session's unpacked extension (extensions/unpack-extension.ts): loaded, and the only one. */
  extensionDir?: string;
  /** The browser's front proxy on loopback (egress/session-proxy.ts): all of its traffic goes there. */
  proxyPort: number;
}

/**
 * The command line of one session's Chromium. Every flag that turns off background traffic is
 * there because a session's network and CPU belong to the client: component updates, sync and
 * field trials would otherwise compete with it and phone home from an operator's machine.
 */
export function chromiumArgs({ profileDir, browserSettings, headless, sandbox, extensionDir, proxyPort }: FlagOptions): string[] {
  return [
    ...(headless ? ['--headless=new'] : []),
    ...CHROMIUM_HOST_FLAGS,
    ...(sandbox ? [] : ['--no-sandbox']),
    // No keyring on a node: cookies are sealed with Chromium's constant v10 key, never a key of
    // the host's (shared/research/data-plane-notes.md §9), so a profile opens on any node.
    '--password-store=basic',
    // Loopback only: clients reach the browser through the node's proxy, never directly.
    '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0',
    `--user-data-dir=${profileDir}`,
    // Every browser's first window; the session's viewport is set exactly over CDP (identity/identity-shaper.ts).
    `--window-size=${DEFAULT_VIEWPORT.width},${DEFAULT_VIEWPORT.height}`,
    // navigator.webdriver false: a session's pages see a browser, not a test harness.
    '--disable-blink-features=AutomationControlled',
    // Every request through the node's proxy for this browser, loopback and link-local included
    // (`<-loopback>` drops Chromium's implicit bypass of them), and WebRTC kept off UDP, which no
    // HTTP proxy carries: nothing the page does leaves the browser another way.
    `--proxy-server=http://127.0.0.1:${proxyPort}`,
    '--proxy-bypass-list=<-loopback>',
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    ...(browserSettings.ignoreCertificateErrors === false ? [] : ['--ignore-certificate-errors']),
    // Chromium (not branded Chrome 137+) honours both in headless new (data-plane-notes.md §4).
    // The node runs /usr/lib/chromium/chromium, not Debian's wrapper, which would add its own.
    ...(extensionDir ? [`--load-extension=${extensionDir}`, `--disable-extensions-except=${extensionDir}`] : []),
    // Last: the initial URL, so the default context already has the page clients expect to find.
    'about:blank',
  ];
}

/**
 * Why a session cannot be served by a warm browser, or undefined when it can. A warm browser was
 * started with the pool's command line (default settings), and a launch flag cannot be changed
 * afterwards: any setting that changes the command line needs its own launch
 * (`ignoreCertificateErrors: false`); the viewport and identity are set over CDP, so any fits. So do an extension
 * and a context, which must be in the profile before Chromium starts (a context is loaded into
 * the profile whether or not it is persisted afterwards).
 */
export function needsOwnLaunch(browserSettings: BrowserSettings, headless: boolean): string | undefined {
  if (browserSettings.extensionId !== undefined) return 'extension';
  if (browserSettings.context !== undefined) return 'context';
  const own = chromiumArgs({ profileDir: '', browserSettings, headless, sandbox: true, proxyPort: 0 });
  const pool = chromiumArgs({ profileDir: '', browserSettings: {}, headless, sandbox: true, proxyPort: 0 });
  const added = own.find((arg) => !pool.includes(arg));
  if (added) return `flag ${added}`;
  const dropped = pool.find((arg) => !own.includes(arg));
  return dropped ? `no flag ${dropped}` : undefined;
}
