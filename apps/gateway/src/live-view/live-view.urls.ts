import { MAX_VIEW_TOKEN_SECONDS } from '../auth/view-token.js';

/**
 * Where the live view lives on the gateway's public base, and how its paths read back. Every URL
 * carries a view token in its path (not the query): DevTools loads its own files by relative URL,
 * and a path segment survives that where a query string would not.
 *
 *   <http>/live/<session>/<token>/page/<target>            the screencast viewer (debuggerFullscreenUrl)
 *   <ws>  /live/<session>/<token>/page/<target>/ws         its socket
 *   <http>/live/<session>/<token>/devtools/inspector.html?ws=…   Chromium's DevTools (debuggerUrl)
 *   <ws>  /live/<session>/<token>/devtools/page/<target>   a page-level CDP socket (wsUrl, DevTools')
 */
export const LIVE_PREFIX = '/live';

/** Chromium's target ids; anything else is not a page of ours. */
export const TARGET_ID = /^[A-F0-9]{32}$/;

export type ExpiresIn = { ok: true; seconds: number | undefined } | { ok: false; message: string };

/** `expiresIn`: integer seconds, 1..21600, as Browserbase documents it; absent means "until the session's expiry". */
export function parseExpiresIn(raw: unknown): ExpiresIn {
  if (raw === undefined) return { ok: true, seconds: undefined };
  const rule = `expiresIn must be an integer number of seconds from 1 to ${MAX_VIEW_TOKEN_SECONDS}`;
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return { ok: false, message: rule };
  const seconds = Number(raw);
  if (seconds < 1 || seconds > MAX_VIEW_TOKEN_SECONDS) return { ok: false, message: rule };
  return { ok: true, seconds };
}

/** The token's expiry (epoch seconds): `expiresIn` from now, else the session's own expiry, never past 6 h. */
export function tokenExpiry(nowMs: number, expiresIn: number | undefined, sessionExpiresAt: string | undefined): number {
  const now = Math.floor(nowMs / 1000);
  const cap = now + MAX_VIEW_TOKEN_SECONDS;
  if (expiresIn !== undefined) return now + expiresIn;
  const sessionEnd = sessionExpiresAt ? Math.ceil(Date.parse(sessionExpiresAt) / 1000) : NaN;
  return Number.isFinite(sessionEnd) && sessionEnd > now ? Math.min(sessionEnd, cap) : cap;
}

export interface PageUrls {
  debuggerFullscreenUrl: string;
  debuggerUrl: string;
  wsUrl: string;
}

/** The URLs for one page; `http`/`ws` are PublicUrls' bases (scheme, host and any path prefix). */
export function pageUrls(base: { http: string; ws: string }, sessionId: string, token: string, targetId: string): PageUrls {
  const root = `${LIVE_PREFIX}/${encodeURIComponent(sessionId)}/${token}`;
  const socket = `${base.ws}${root}/devtools/page/${targetId}`;
  // DevTools takes the socket as host/path without a scheme, `ws=` or `wss=` by TLS.
  const [scheme, rest] = socket.split('://') as [string, string];
  return {
    debuggerFullscreenUrl: `${base.http}${root}/page/${targetId}`,
    debuggerUrl: `${base.http}${root}/devtools/inspector.html?${scheme === 'wss' ? 'wss' : 'ws'}=${encodeURIComponent(rest)}`,
    wsUrl: socket,
  };
}

export type LivePath =
  | { kind: 'viewer-socket'; sessionId: string; token: string; targetId: string }
  | { kind: 'devtools-socket'; sessionId: string; token: string; targetId: string };

const SOCKET_PATH = /^\/live\/([A-Za-z0-9_-]{1,128})\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\/(page\/([A-F0-9]{32})\/ws|devtools\/page\/([A-F0-9]{32}))$/;

/** Whether an upgrade's path is the live view's (with the public URL's path prefix, or without). */
export function isLivePath(url: string | undefined, connectPath: string): boolean {
  const path = stripPrefix(pathOf(url), connectPath);
  return path === LIVE_PREFIX || path.startsWith(`${LIVE_PREFIX}/`);
}

/** A live-view upgrade path read back, or undefined for anything not exactly one of the shapes. */
export function parseLiveSocketPath(url: string | undefined, connectPath: string): LivePath | undefined {
  const m = SOCKET_PATH.exec(stripPrefix(pathOf(url), connectPath));
  if (!m) return undefined;
  const [, sessionId, token, , viewerTarget, devtoolsTarget] = m;
  if (viewerTarget) return { kind: 'viewer-socket', sessionId: sessionId!, token: token!, targetId: viewerTarget };
  return { kind: 'devtools-socket', sessionId: sessionId!, token: token!, targetId: devtoolsTarget! };
}

export type LiveHttpPath =
  | { kind: 'viewer'; sessionId: string; token: string; targetId: string }
  | { kind: 'devtools'; sessionId: string; token: string; file: string };

/** The DevTools frontend's files: plain relative paths, no `..`, no empty segments. */
const DEVTOOLS_FILE = '((?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*)';
const HTTP_PATH = new RegExp(`^([A-Za-z0-9_-]{1,128})/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)/(?:page/([A-F0-9]{32})|devtools/${DEVTOOLS_FILE})$`);

/**
 * What follows `/live/` in a GET, read here rather than by the router: a token is longer than the
 * router's parameter limit (kept for session ids), and one parser for HTTP and upgrades keeps them alike.
 */
export function parseLiveHttpPath(rest: string): LiveHttpPath | undefined {
  const m = HTTP_PATH.exec(rest);
  if (!m) return undefined;
  const [, sessionId, token, targetId, file] = m;
  if (targetId) return { kind: 'viewer', sessionId: sessionId!, token: token!, targetId };
  return { kind: 'devtools', sessionId: sessionId!, token: token!, file: file! };
}

function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

function stripPrefix(path: string, connectPath: string): string {
  const prefix = connectPath.replace(/\/+$/, '');
  return prefix && path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}
