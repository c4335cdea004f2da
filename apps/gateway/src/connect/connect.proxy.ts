import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { isEnded } from '@hangar/domain';
import { INTERNAL_TOKEN_HEADER, LOGGER, mintInternalToken, type Logger } from '@hangar/runtime';
import { pipeUpgrade, reject, type PipedConnection } from '@hangar/upgrade-proxy';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { GATEWAY_ENV } from '../tokens.js';
import type { GatewayEnv } from '../env.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { toHttpError } from '../errors/http-error.mapping.js';
import { MetricsService } from '../ops/metrics.service.js';
import { SessionReader } from '../sessions/session.reader.js';
import type { SessionView } from '../sessions/session.presenter.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { parseConnectRequest, upstreamTarget, type ConnectCredentials } from './connect-request.js';
import { PipedConnections } from './piped-connections.js';
import { PublicUrls } from './public-urls.js';
import { verifySigningKey } from './signing-key.js';

const PENDING_POLL_MS = 100;

export interface UpgradeRoute {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * The CDP connect proxy: authenticates a WebSocket upgrade, resolves the session to the node that
 * runs its browser, and splices the client's socket to that node. It listens on the HTTP
 * server's `upgrade` event, which Node emits instead of a request once any listener exists, so
 * Fastify never sees these requests.
 */
@Injectable()
export class ConnectProxy implements BeforeApplicationShutdown {
  private closing = false;

  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly reader: SessionReader,
    private readonly sessions: SessionsService,
    private readonly urls: PublicUrls,
    private readonly metrics: MetricsService,
    private readonly connections: PipedConnections,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Upgrades that are not CDP connects (the live view's sockets), each claimed by its own handler first. */
  private readonly upgradeRoutes: UpgradeRoute[] = [];

  addUpgradeRoute(route: UpgradeRoute): void {
    this.upgradeRoutes.push(route);
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const route = this.closing ? undefined : this.upgradeRoutes.find((r) => r.matches(req));
      if (route) return route.handle(req, socket, head);
      void this.handle(req, socket, head);
    });
  }

  private async handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Until pipeUpgrade owns the socket, a client reset must not become an unhandled 'error'.
    const swallow = () => undefined;
    socket.on('error', swallow);
    const correlationId = randomUUID();
    const t0 = performance.now();
    try {
      if (this.closing) throw new ApiError('UNAVAILABLE', 'the gateway is shutting down; reconnect');
      const parsed = parseConnectRequest(req.url, this.urls.connectPath);
      if (!parsed.ok) return this.refuse(socket, parsed.status, STATUS_CODES[parsed.status]!, parsed.message);
      const session = await this.resolve(parsed.credentials, correlationId, socket);
      const target = session.endpoint ? upstreamTarget(session.endpoint) : undefined;
      if (!target) throw new ApiError('SESSION_NOT_READY', `session ${session.id} has no browser endpoint yet; retry in a moment`, { 'retry-after': '1' });
      if (socket.destroyed) return;
      socket.off('error', swallow);
      // The keepalive finds clients gone without a close frame: the node cannot (it sees only us).
      const keepalive = { intervalMs: this.env.HANGAR_WS_PING_INTERVAL_MS, timeoutMs: this.env.HANGAR_WS_IDLE_TIMEOUT_MS };
      // The node refuses an upgrade without a token for this session: its port is reachable from
      // the browsers' own host, so only this proves the gateway authenticated the client.
      const token = mintInternalToken(this.env.HANGAR_INTERNAL_SECRET, { purpose: 'cdp', sessionId: session.id });
      const connection = pipeUpgrade(req, socket, head, target, { keepalive, addHeaders: { [INTERNAL_TOKEN_HEADER]: token } });
      this.track(connection, session.id, correlationId);
      this.logger.debug({ sessionId: session.id, correlationId, nodeId: session.nodeId, resolveMs: Math.round((performance.now() - t0) * 100) / 100 }, 'client connected');
    } catch (err) {
      const answer = toHttpError(err);
      if (answer.code === 'INTERNAL') this.logger.error({ err, correlationId }, 'connect failed');
      else if (answer.serverFault) this.logger.warn({ err, correlationId }, 'connect failed: dependency unavailable');
      this.refuse(socket, answer.status, answer.body.error, answer.body.message, answer.headers);
    }
  }

  private async resolve(credentials: ConnectCredentials, correlationId: string, socket: Duplex): Promise<SessionView> {
    let sessionId: string;
    let read: () => Promise<SessionView | undefined>;
    let first: SessionView | undefined;
    if (credentials.kind === 'signingKey') {
      const verified = verifySigningKey(this.env.HANGAR_SIGNING_SECRET, credentials.signingKey);
      if (!verified) throw new ApiError('UNAUTHORIZED', 'the signingKey is not valid');
      sessionId = verified;
      read = () => this.reader.findAnyProject(verified);
    } else {
      const projectId = await this.apiKeys.projectIdFor(credentials.apiKey);
      if (!projectId) throw new ApiError('UNAUTHORIZED', 'the apiKey is not valid');
      if (credentials.sessionId) {
        sessionId = credentials.sessionId;
      } else {
        // `?apiKey=` alone: what `puppeteer.connect` users expect — a fresh default session
        // that ends when this client disconnects.
        first = await this.sessions.createSession(projectId, { keepAlive: false }, correlationId);
        sessionId = first.id;
      }
      const id = sessionId;
      read = () => this.reader.find(projectId, id);
    }
    let session = first ?? (await read());
    // A CDP client does not retry a refused upgrade, so a session whose browser is still starting
    // is waited for (briefly) rather than refused.
    const deadline = Date.now() + this.env.HANGAR_CONNECT_PENDING_WAIT_MS;
    while (session?.status === 'PENDING' && Date.now() < deadline && !socket.destroyed) {
      await new Promise((r) => setTimeout(r, PENDING_POLL_MS));
      session = await read();
    }
    return connectable(sessionId, session);
  }

  private track(connection: PipedConnection, sessionId: string, correlationId: string): void {
    this.metrics.connects.inc({ outcome: 'piped' });
    this.metrics.openConnections.inc();
    void connection.closed.then((end) => {
      this.metrics.openConnections.dec();
      if (end === 'idle-timeout') this.logger.info({ sessionId, correlationId }, 'client silent past the idle timeout: connection cut');
      else this.logger.debug({ sessionId, correlationId, end }, 'client disconnected');
    });
    if (!this.connections.add(sessionId, connection)) {
      this.logger.info({ sessionId, correlationId }, 'session ended while its client was connecting: connection cut');
    }
  }

  private refuse(socket: Duplex, status: number, error: string, message: string, headers: Record<string, string> = {}): void {
    this.metrics.connects.inc({ outcome: String(status) });
    if (!socket.destroyed) reject(socket, status, error, message, headers);
  }

  /** Before the HTTP server closes: it would otherwise wait forever on spliced sockets. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    this.connections.closeAll();
  }
}

function connectable(sessionId: string, session: SessionView | undefined): SessionView {
  if (!session) throw notFound(`session ${sessionId}`);
  if (isEnded(session)) throw new ApiError('SESSION_ENDED', `session ${sessionId} has ended (status ${session.status}); create a new session`);
  if (session.status !== 'RUNNING') {
    throw new ApiError('SESSION_NOT_READY', `session ${sessionId} is not running yet (status ${session.status}); retry in a moment`, { 'retry-after': '1' });
  }
  return session;
}
