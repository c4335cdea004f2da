/**
 * Schemes a client may send a browser-initiated navigation to (Page.navigate, Target.createTarget).
 * An allow-list, not a list of local schemes: Chromium has many of those (file:, chrome:,
 * chrome-untrusted:, view-source:, devtools:, filesystem:, chrome-search:, …) and grows more, while
 * everything a session legitimately opens is the web, a blank page, inline data or an extension
 * page. Browser-initiated navigations are exactly the ones Chromium lets reach local schemes; a
 * page's own navigations to them are refused by Chromium itself.
 */
const WEB_SCHEMES = new Set(['http:', 'https:', 'data:', 'blob:', 'chrome-extension:']);

// about:blank and about:srcdoc only: Chromium rewrites other about: URLs (about:version,
// about:settings) to chrome:// pages.
const ABOUT_PAGES = new Set(['blank', 'srcdoc']);

/**
 * Parsed the WHATWG way, as Chromium's URL parser does for these inputs: leading and trailing
 * spaces and control characters trimmed, tabs and newlines removed anywhere, the scheme
 * lower-cased. So ` FI\tLE:///etc/passwd` is file: here too, and anything unparseable is refused
 * rather than guessed at.
 */
export function navigationRefusal(url: unknown, options: { emptyMeansBlank?: boolean } = {}): string | undefined {
  if (typeof url !== 'string') return 'url must be a string';
  if (url === '' && options.emptyMeansBlank) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'url must be an absolute URL';
  }
  if (WEB_SCHEMES.has(parsed.protocol)) return undefined;
  if (parsed.protocol === 'about:' && ABOUT_PAGES.has(parsed.pathname)) return undefined;
  return `${parsed.protocol} URLs are local to the host`;
}

/** For methods that fetch from the network only (Network.loadNetworkResource, Fetch.continueRequest). */
export function httpOnlyRefusal(url: unknown): string | undefined {
  if (typeof url !== 'string') return 'url must be a string';
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? undefined : `only http(s) URLs may be loaded, not ${protocol}`;
  } catch {
    return 'url must be an absolute URL';
  }
}
