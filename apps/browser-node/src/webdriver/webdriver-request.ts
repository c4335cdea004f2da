import { navigationRefusal } from '../cdp/guard/navigation-urls.js';

/** A W3C WebDriver error (https://w3c.github.io/webdriver/#errors): its status and JSON body. */
export interface WebDriverError {
  readonly status: number;
  readonly error: string;
  readonly message: string;
}

export const webDriverErrorBody = (e: Pick<WebDriverError, 'error' | 'message'>) => JSON.stringify({ value: { error: e.error, message: e.message, stacktrace: '' } });

const SESSION_COMMAND = /^\/session\/([^/]+)(\/.*)?$/;

/**
 * chromedriver's commands that reach past the page, refused before chromedriver sees them:
 * raw CDP (`goog/cdp/execute`, `chromium/send_command…`: chromedriver talks to the browser
 * directly, so these would bypass the CDP guard), file transfer (`se/file` unpacks a client's zip
 * on the host, `se/files` lists host files), and the casting and log endpoints that read the host.
 */
const REFUSED_COMMANDS = [/^\/goog\/cdp\//, /^\/chromium\//, /^\/se\/files?$/, /^\/goog\/cast\//];

/** Why the node does not forward this command, or undefined when it may. `path` follows `/webdriver`. */
export function commandRefusal(method: string, path: string, body: unknown): WebDriverError | undefined {
  if (path === '/status') return method === 'GET' ? undefined : unknownMethod(method, path);
  if (path === '/session') return method === 'POST' ? undefined : unknownMethod(method, path);
  const command = SESSION_COMMAND.exec(path);
  if (!command) return { status: 404, error: 'unknown command', message: `${method} /webdriver${path} is not a WebDriver command this endpoint serves` };
  const rest = command[2] ?? '';
  if (REFUSED_COMMANDS.some((r) => r.test(rest))) {
    return { status: 400, error: 'unsupported operation', message: `${rest.slice(1)} is not available through Hangar: it would reach the host or bypass the CDP guard` };
  }
  if (method === 'POST' && rest === '/url') {
    const why = navigationRefusal((body as { url?: unknown } | undefined)?.url);
    if (why) return { status: 400, error: 'invalid argument', message: `url: ${why}` };
  }
  return undefined;
}

function unknownMethod(method: string, path: string): WebDriverError {
  return { status: 405, error: 'unknown method', message: `${method} is not allowed on /webdriver${path}` };
}

type Caps = Record<string, unknown>;
const isCaps = (v: unknown): v is Caps => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys a client may not choose: the browser is the session's, already running. */
const BROWSER_KEYS = ['goog:chromeOptions', 'webSocketUrl', 'se:cdp'];

function scrub(caps: unknown): Caps {
  if (!isCaps(caps)) return {};
  return Object.fromEntries(Object.entries(caps).filter(([k]) => !BROWSER_KEYS.includes(k)));
}

/**
 * The new-session body as chromedriver gets it: attached to this session's browser, whatever the
 * client asked. `goog:chromeOptions` is replaced whole (binary, args, extensions, prefs, another
 * debuggerAddress: none of it is the client's to choose), BiDi (`webSocketUrl`) is not offered,
 * and every firstMatch alternative loses the same keys. Other capabilities (timeouts, page load
 * strategy, unhandled prompt behaviour, `goog:loggingPrefs`) pass as sent.
 */
export function attachedCapabilities(body: unknown, debuggerAddress: string): { capabilities: { alwaysMatch: Caps; firstMatch: Caps[] } } {
  const given = isCaps(body) && isCaps(body['capabilities']) ? body['capabilities'] : {};
  const firstMatch = Array.isArray(given['firstMatch']) && given['firstMatch'].length > 0 ? given['firstMatch'].map(scrub) : [{}];
  return {
    capabilities: {
      alwaysMatch: { ...scrub(given['alwaysMatch']), 'goog:chromeOptions': { debuggerAddress } },
      firstMatch,
    },
  };
}
