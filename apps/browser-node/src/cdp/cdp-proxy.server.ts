import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { endsOnDisconnect, SessionRuleViolation } from '@hangar/domain';
import { INTERNAL_TOKEN_HEADER, LOGGER, verifyInternalToken, type InternalPurpose, type Logger } from '@hangar/runtime';
import { pipeUpgrade, reject, type PipedConnection } from '@hangar/upgrade-proxy';
import type { NodeConfig } from '../env.js';
import type { LiveSession } from '../sessions/live-session.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NODE_CONFIG } from '../tokens.js';
import type { CdpTap } from './guard/cdp-tap.js';
import { guardedPipeOptions } from './guard/guarded-pipe.js';

const SESSION_PATH = /^\/sessions\/([A-Za-z0-9_-]+)\/?$/;

/**
 * A data-plane route on the node's port (files, live view): `/sessions/<id>/<rest>`, each owned
 * by its concern's folder. The proxy checks the gateway's internal token for the route's purpose
 * and that very session before the handler sees anything, and finds the running session.
 */
export interface NodeRoute {
  readonly purpose: Exclude<InternalPurpose, 'cdp'>;
  /** Matched against what follows `/sessions/<id>`; groups are handed to the handler. */
  readonly path: RegExp;
  http?(session: LiveSession, req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): void | Promise<void>;
  upgrade?(session: LiveSession, req: IncomingMessage, socket: Duplex, head: Buffer, match: RegExpExecArray): void | Promise<void>;
}

const ROUTE_PATH = /^\/sessions\/([A-Za-z0-9_-]+)(\/.+)$/;

/**
 * The node's one listening port: WebSocket upgrades on `/sessions/<id>` are spliced to that
 * session's Chromium (browser target) and recorded as ClientConnected / ClientDisconnected;
 * `GET /healthz` answers 200. Chromium itself listens on loopback only. What the client sends
 * passes the CDP guard (guard/README.md): calls that reach the host are refused or confined to
 * the session's uploads and downloads folders.
 *
 * Only the gateway may connect: an upgrade without a fresh internal token for that very session
 * is refused 401 before anything about it is looked up. The port is reachable from the host the
 * browsers run on, so a tenant's own page could otherwise open `ws://127.0.0.1:<port>/sessions/<id>`
 * and drive any session whose id it learnt.
 */
@Injectable()
export class CdpProxy {
  private readonly server = http.createServer((req, res) => this.onRequest(req, res));
  private port: number | undefined;

  /** The port it listens on, once it does. */
  get listeningPort(): number | undefined {
    return this.port;
  }
  private readonly routes: NodeRoute[] = [];
  /** The session log's tap for a client connection (telemetry/), or none: the splice then stays a byte pipe. */
  private tapFor: ((session: LiveSession) => CdpTap | undefined) | undefined;

  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: SessionRegistry,
  ) {
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, fail) => {
      this.server.once('error', fail);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', fail);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.logger.info({ endpoint: this.endpoint }, 'cdp proxy listening');
  }

  /** `ws://<advertised host>:<port>`, as NodeJoined and the heartbeat announce it. */
  get endpoint(): string {
    if (this.port === undefined) throw new Error('the CDP proxy is not listening yet');
    return `ws://${this.config.advertiseHost}:${this.port}`;
  }

  addRoute(route: NodeRoute): void {
    this.routes.push(route);
  }

  setTap(tapFor: (session: LiveSession) => CdpTap | undefined): void {
    this.tapFor = tapFor;
  }

  /**
   * The route, session and match for a data-plane request, or why not (as the status to answer).
   * A request without a valid token for the route's purpose and that session is 401 before the
   * session is even looked up: a page on this host learns nothing from the port.
   */
  private routeFor(req: IncomingMessage, kind: 'http' | 'upgrade'):
    | { ok: true; route: NodeRoute; session: LiveSession; match: RegExpExecArray }
    | { ok: false; status: number; message: string } {
    const url = new URL(req.url ?? '/', 'http://node');
    const parts = ROUTE_PATH.exec(url.pathname);
    const sessionId = parts?.[1];
    const rest = parts?.[2] ?? '';
    for (const route of this.routes) {
      if (!route[kind]) continue;
      const match = route.path.exec(rest);
      if (!sessionId || !match) continue;
      const token = req.headers[INTERNAL_TOKEN_HEADER];
      const check = typeof token === 'string' ? verifyInternalToken(this.config.internalSecret, token, { purpose: route.purpose, sessionId }) : undefined;
      if (!check?.ok) {
        this.logger.warn({ sessionId, purpose: route.purpose, reason: check?.reason ?? 'missing', remote: req.socket.remoteAddress }, 'request without a valid internal token refused');
        return { ok: false, status: 401, message: 'connect through the gateway' };
      }
      const session = this.registry.live.get(sessionId);
      if (!session || !this.accepts(session)) return { ok: false, status: 404, message: `no running session ${sessionId} on this node` };
      return { ok: true, route, session, match };
    }
    return { ok: false, status: 404, message: 'not found' };
  }

  sessionEndpoint(sessionId: string): string {
    return `${this.endpoint}/sessions/${sessionId}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse) {
    if (req.url?.startsWith('/sessions/')) return this.onRouteRequest(req, res);
    const healthy = req.method === 'GET' && req.url === '/healthz';
    const status = healthy ? 200 : 404;
    // Nothing but liveness over plain HTTP: no hints, no listing, for whoever reached the port.
    const body = healthy ? { status: 'ok' } : { statusCode: 404, error: 'Not Found', message: 'not found' };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private onRouteRequest(req: IncomingMessage, res: ServerResponse) {
    const found = this.routeFor(req, 'http');
    if (!found.ok) {
      // The body is not read: an unauthenticated upload is cut short, not drained.
      res.writeHead(found.status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ statusCode: found.status, message: found.message }));
      return;
    }
    Promise.resolve(found.route.http!(found.session, req, res, found.match)).catch((err: unknown) => {
      this.logger.error({ err, sessionId: found.session.id, purpose: found.route.purpose }, 'node route failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 500, message: 'internal error' }));
      else res.destroy();
    });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    if (!SESSION_PATH.test(new URL(req.url ?? '/', 'http://node').pathname) && this.routes.some((r) => r.upgrade)) {
      socket.on('error', () => undefined);
      const found = this.routeFor(req, 'upgrade');
      if (!found.ok) return reject(socket, found.status, found.status === 401 ? 'Unauthorized' : 'Not Found', found.message);
      // Like a client's splice, a view of the session's pages waits for its data plane (LiveSession.ready).
      found.session.ready.then(() => found.route.upgrade!(found.session, req, socket, head, found.match)).catch((err: unknown) => {
        this.logger.error({ err, sessionId: found.session.id, purpose: found.route.purpose }, 'node upgrade route failed');
        socket.destroy();
      });
      return;
    }
    // Until the pipe takes the socket over nothing listens for its errors, and an unhandled
    // 'error' (a client resetting mid-handshake) would take the whole node down.
    socket.on('error', () => undefined);
    const sessionId = SESSION_PATH.exec(new URL(req.url ?? '/', 'http://node').pathname)?.[1];
    const token = req.headers[INTERNAL_TOKEN_HEADER];
    const check = sessionId && typeof token === 'string' ? verifyInternalToken(this.config.internalSecret, token, { purpose: 'cdp', sessionId }) : undefined;
    if (!check?.ok) {
      this.logger.warn({ sessionId, reason: check?.reason ?? 'missing', remote: req.socket.remoteAddress }, 'upgrade without a valid internal token refused');
      reject(socket, 401, 'Unauthorized', 'connect through the gateway');
      return;
    }
    const session = sessionId ? this.registry.live.get(sessionId) : undefined;
    if (!sessionId || !session || !this.accepts(session)) {
      reject(socket, 404, 'Not Found', sessionId ? `no running session ${sessionId} on this node` : 'connect to /sessions/<id>');
      return;
    }
    void this.registry.queue
      .run(sessionId, () => this.attach(session, req, socket, head))
      .catch((err: unknown) => {
        this.logger.error({ err, sessionId }, 'client attach failed');
        socket.destroy();
      });
  }

  private accepts(session: LiveSession): boolean {
    // A draining node still serves its sessions' clients (a keepAlive session's reconnect): only
    // a node that is ending every session turns them away.
    return this.registry.phase !== 'stopping' && !session.ending && session.state?.kind === 'running' && this.registry.live.get(session.id) === session;
  }

  private async attach(session: LiveSession, req: IncomingMessage, socket: Duplex, head: Buffer) {
    // The data plane first (its recorder armed in the open page), then the client may drive it.
    await session.ready;
    if (socket.destroyed) return;
    // Checked after the waits (its turn in the queue, the data plane): the session may have ended meanwhile.
    if (!this.accepts(session)) return reject(socket, 404, 'Not Found', `no running session ${session.id} on this node`);
    const connectionId = randomUUID();
    const { port, browserPath, folders } = session.browser;
    const tap = this.tapFor?.(session);
    const guard = guardedPipeOptions(
      { uploadsDir: folders.uploads, downloadsDir: folders.downloads },
      (method, why) => this.logger.warn({ sessionId: session.id, connectionId, method, why }, 'cdp call refused'),
      tap,
    );
    const pipe = pipeUpgrade(req, socket, head, { host: '127.0.0.1', port, path: browserPath }, { ...guard, dropHeaders: [...guard.dropHeaders, INTERNAL_TOKEN_HEADER] });
    if (tap) void pipe.closed.then(() => tap.close());
    await this.track(session, connectionId, pipe);
  }

  /**
   * Records a client of the session (ClientConnected) that holds it open until `pipe` closes
   * (ClientDisconnected; the session ends then if that was its last client and it is not
   * keepAlive). A CDP socket, or a WebDriver session (webdriver/). Call it in `registry.queue`.
   */
  async track(session: LiveSession, connectionId: string, pipe: PipedConnection): Promise<void> {
    const client = { pipe, recorded: false };
    session.clients.set(connectionId, client);
    void pipe.closed.then((end) => {
      if (end === 'filter-error') this.logger.warn({ sessionId: session.id, connectionId }, 'client broke the WebSocket protocol: connection cut');
      return this.registry.queue
        .run(session.id, () => this.detach(session, connectionId))
        .catch((err: unknown) => this.logger.error({ err, sessionId: session.id, connectionId }, 'client detach failed'));
    });
    try {
      await this.registry.apply(session, { type: 'Connect', connectionId }, { correlationId: session.correlationId });
      client.recorded = true;
      this.logger.debug({ sessionId: session.id, connectionId }, 'client connected');
    } catch (err) {
      this.logger.warn({ err, sessionId: session.id, connectionId }, 'could not record the connection; closing it');
      pipe.close();
    }
  }

  private async detach(session: LiveSession, connectionId: string) {
    const client = session.clients.get(connectionId);
    session.clients.delete(connectionId);
    if (!client?.recorded) return;
    const meta = { correlationId: session.correlationId };
    let ends: boolean;
    try {
      ends = endsOnDisconnect(await this.registry.apply(session, { type: 'Disconnect', connectionId }, meta));
    } catch (err) {
      if (err instanceof SessionRuleViolation) throw err;
      // The log is unreachable (NATS restarting): the disconnect still happened. Decide on what
      // this node knows, so a session without keepAlive still ends; its end is retried.
      this.logger.warn({ err, sessionId: session.id, connectionId }, 'could not record the disconnect');
      ends = session.state?.kind === 'running' && !session.state.keepAlive && session.clients.size === 0;
    }
    this.logger.debug({ sessionId: session.id, connectionId }, 'client disconnected');
    // A browser that already exited is ending through its exit handler (a client's
    // Browser.close), which records why; ending it here would race that.
    if (!ends || session.ending || session.browser.hasExited || this.registry.live.get(session.id) !== session) return;
    await this.registry.end(session, 'CLIENT_DISCONNECTED', meta);
  }
}
