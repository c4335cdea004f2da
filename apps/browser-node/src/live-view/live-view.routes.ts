import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { WebSocketServer } from 'ws';
import { INTERNAL_TOKEN_HEADER, LOGGER, type Logger } from '@hangar/runtime';
import { pipeUpgrade } from '@hangar/upgrade-proxy';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import { guardedPipeOptions } from '../cdp/guard/guarded-pipe.js';
import type { LiveSession } from '../sessions/live-session.js';
import { bridgeScreencast } from './screencast.bridge.js';
import { MAX_VIEWER_MESSAGE_BYTES } from './viewer-input.js';

/** Chromium's target ids: 32 upper-case hex digits; anything else never reaches its port. */
const TARGET = '([A-F0-9]{32})';
/** The bundled DevTools frontend's files: plain relative paths, no `..`, no query tricks. */
const DEVTOOLS_FILE = /^\/live-view\/devtools\/((?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*)$/;

export interface LivePage {
  id: string;
  url: string;
  title: string;
  faviconUrl: string;
}

/**
 * The live view's routes on the node's port (`/sessions/<id>/live-view/…`); CdpProxy has checked
 * the gateway's 'live-view' internal token for that very session before any of these runs.
 *
 * - `GET pages`: the session's page targets, from Chromium's /json/list.
 * - `GET devtools/<file>`: Chromium's bundled DevTools frontend (GET only, files only).
 * - upgrade `screencast/<target>/control|view`: the screencast viewer (screencast.bridge.ts);
 *   the gateway picks `view` for a view-only token.
 * - upgrade `devtools/page/<target>`: a page-level CDP socket for DevTools and `wsUrl`, through
 *   exactly the guard a client's socket passes (guardedPipeOptions), so DevTools cannot read host
 *   files or reach outside the session's folders any more than a client can.
 *
 * Chromium refuses a Host that is not an IP and a foreign Origin: every request here goes to
 * 127.0.0.1:<port> with Host rewritten and Origin dropped. Chromium is never launched with
 * --remote-allow-origins, so a page in any browser still cannot open its DevTools socket itself.
 */
@Injectable()
export class LiveViewRoutes implements OnModuleInit {
  private readonly viewers = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_VIEWER_MESSAGE_BYTES });

  constructor(
    private readonly proxy: CdpProxy,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.proxy.addRoute({ purpose: 'live-view', path: /^\/live-view\/pages$/, http: (s, req, res) => this.pages(s, req, res) });
    this.proxy.addRoute({ purpose: 'live-view', path: DEVTOOLS_FILE, http: (s, req, res, m) => this.devtoolsFile(s, req, res, m[1]!) });
    this.proxy.addRoute({
      purpose: 'live-view',
      path: new RegExp(`^/live-view/screencast/${TARGET}/(control|view)$`),
      upgrade: (s, req, socket, head, m) => this.screencast(s, req, socket, head, m[1]!, m[2] === 'view'),
    });
    this.proxy.addRoute({
      purpose: 'live-view',
      path: new RegExp(`^/live-view/devtools/page/${TARGET}$`),
      upgrade: (s, req, socket, head, m) => this.devtoolsSocket(s, req, socket, head, m[1]!),
    });
  }

  private async pages(session: LiveSession, req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'GET') return json(res, 405, { statusCode: 405, message: 'GET only' });
    const targets = await getJson(session.browser.port, '/json/list');
    const pages: LivePage[] = (Array.isArray(targets) ? targets : [])
      .filter((t): t is Record<string, unknown> => typeof t === 'object' && t !== null && t.type === 'page' && typeof t.id === 'string')
      .map((t) => ({ id: String(t.id), url: str(t.url), title: str(t.title), faviconUrl: str(t.faviconUrl) }));
    json(res, 200, pages);
  }

  private devtoolsFile(session: LiveSession, req: IncomingMessage, res: ServerResponse, file: string) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { statusCode: 405, message: 'GET only' });
    const upstream = http.get({ host: '127.0.0.1', port: session.browser.port, path: `/devtools/${file}`, headers: { host: `127.0.0.1:${session.browser.port}` } }, (answer) => {
      const headers: Record<string, string> = { 'cache-control': 'private, max-age=3600' };
      const type = answer.headers['content-type'];
      if (type) headers['content-type'] = type;
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : json(res, 502, { statusCode: 502, message: 'the browser is not reachable' })));
  }

  private screencast(session: LiveSession, req: IncomingMessage, socket: Duplex, head: Buffer, targetId: string, readOnly: boolean) {
    this.viewers.handleUpgrade(req, socket, head, (viewer) => {
      this.logger.debug({ sessionId: session.id, targetId, readOnly }, 'live view viewer connected');
      bridgeScreencast(viewer, { port: session.browser.port, targetId, readOnly, logger: this.logger, sessionId: session.id });
    });
  }

  private devtoolsSocket(session: LiveSession, req: IncomingMessage, socket: Duplex, head: Buffer, targetId: string) {
    if (socket.destroyed) return;
    const { port, folders } = session.browser;
    const guard = guardedPipeOptions({ uploadsDir: folders.uploads, downloadsDir: folders.downloads }, (method, why) =>
      this.logger.warn({ sessionId: session.id, targetId, method, why }, 'live view cdp call refused'),
    );
    // Not recorded as a client connection: a person watching does not keep the session alive,
    // and closing DevTools must not end a session that has no client.
    pipeUpgrade(req, socket, head, { host: '127.0.0.1', port, path: `/devtools/page/${targetId}` }, { ...guard, dropHeaders: [...guard.dropHeaders, INTERNAL_TOKEN_HEADER, 'cookie'] });
  }
}

function getJson(port: number, path: string): Promise<unknown> {
  return new Promise((resolve, fail) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}` }, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          fail(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path} timed out`)));
    req.on('error', fail);
  });
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
