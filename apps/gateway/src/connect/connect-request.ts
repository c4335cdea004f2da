export type ConnectCredentials =
  | { kind: 'signingKey'; signingKey: string }
  | { kind: 'apiKey'; apiKey: string; sessionId?: string };

export type ParsedConnect = { ok: true; credentials: ConnectCredentials } | { ok: false; status: 401 | 404; message: string };

/**
 * Reads an upgrade request's URL. The three ways in, as Browserbase clients use them:
 * `?signingKey=` (the connectUrl of a created session), `?apiKey=&sessionId=` (the legacy form),
 * and `?apiKey=` alone, which creates a session on the spot.
 */
export function parseConnectRequest(url: string | undefined, connectPath: string): ParsedConnect {
  let parsed: URL;
  try {
    // A request target is a path: '//host/x' must stay a path, not become another authority.
    const target = url ?? '/';
    parsed = target.startsWith('/') ? new URL(`http://gateway.invalid${target}`) : new URL(target, 'http://gateway.invalid/');
  } catch {
    return { ok: false, status: 404, message: 'not a connect URL' };
  }
  if (parsed.pathname !== '/' && parsed.pathname !== connectPath) {
    return { ok: false, status: 404, message: `nothing to connect to at ${parsed.pathname}; use the connectUrl of a session` };
  }
  const q = parsed.searchParams;
  const signingKey = q.get('signingKey');
  if (signingKey) return { ok: true, credentials: { kind: 'signingKey', signingKey } };
  const apiKey = q.get('apiKey');
  if (apiKey) {
    const sessionId = q.get('sessionId');
    return { ok: true, credentials: sessionId ? { kind: 'apiKey', apiKey, sessionId } : { kind: 'apiKey', apiKey } };
  }
  return { ok: false, status: 401, message: 'connect with ?signingKey=<key> (from the session), or ?apiKey=<key>[&sessionId=<id>]' };
}

/** `ws://host:port/sessions/<id>` (a node's endpoint) → where to open the upstream socket. */
export function upstreamTarget(endpoint: string): { host: string; port: number; path: string } | undefined {
  try {
    const url = new URL(endpoint);
    if (url.protocol !== 'ws:' && url.protocol !== 'http:') return undefined;
    const port = url.port ? Number(url.port) : 80;
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port, path: `${url.pathname}${url.search}` };
  } catch {
    return undefined;
  }
}
