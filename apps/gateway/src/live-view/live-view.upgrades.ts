import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@hangar/runtime';
import { pipeUpgrade, reject } from '@hangar/upgrade-proxy';
import { PipedConnections } from '../connect/piped-connections.js';
import { PublicUrls } from '../connect/public-urls.js';
import type { GatewayEnv } from '../env.js';
import { toHttpError } from '../errors/http-error.mapping.js';
import { GATEWAY_ENV } from '../tokens.js';
import { LiveViewAccess } from './live-view.access.js';
import { isLivePath, parseLiveSocketPath } from './live-view.urls.js';

/**
 * The live view's WebSockets: the viewer's socket (`…/page/<target>/ws`) and the page-level CDP
 * socket of DevTools and `wsUrl` (`…/devtools/page/<target>`). ConnectProxy hands them over
 * before its own connect handling. Each is authenticated by its view token (the viewer: live or
 * live-readonly; CDP: live only), its session read within the token's project, and spliced to
 * the node's live-view route with an internal token for this session; the node path for a
 * view-only viewer is `…/view`, which drops all input there. The node, not this splice, guards
 * CDP (the same guard as a client's socket). The splices are tracked like clients' so a
 * session's end cuts them and the viewer learns of it.
 */
@Injectable()
export class LiveViewUpgrades {
  constructor(
    private readonly access: LiveViewAccess,
    private readonly urls: PublicUrls,
    private readonly connections: PipedConnections,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  matches(req: IncomingMessage): boolean {
    return isLivePath(req.url, this.urls.connectPath);
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const swallow = () => undefined;
    socket.on('error', swallow);
    void this.connect(req, socket, head, swallow).catch((err: unknown) => {
      const answer = toHttpError(err);
      if (answer.code === 'INTERNAL') this.logger.error({ err }, 'live view connect failed');
      if (!socket.destroyed) reject(socket, answer.status, answer.body.error, answer.body.message, answer.headers);
    });
  }

  private async connect(req: IncomingMessage, socket: Duplex, head: Buffer, swallow: () => undefined): Promise<void> {
    const path = parseLiveSocketPath(req.url, this.urls.connectPath);
    if (!path) return reject(socket, 404, 'Not Found', 'not a live view socket; use the URLs from GET /v1/sessions/:id/debug');
    const claims = this.access.verify(path.sessionId, path.token, path.kind === 'viewer-socket' ? ['live', 'live-readonly'] : ['live']);
    const { node } = await this.access.running(claims);
    if (socket.destroyed) return;
    const rest =
      path.kind === 'viewer-socket'
        ? `/live-view/screencast/${path.targetId}/${claims.scope === 'live-readonly' ? 'view' : 'control'}`
        : `/live-view/devtools/page/${path.targetId}`;
    socket.off('error', swallow);
    const keepalive = { intervalMs: this.env.HANGAR_WS_PING_INTERVAL_MS, timeoutMs: this.env.HANGAR_WS_IDLE_TIMEOUT_MS };
    const connection = pipeUpgrade(
      req,
      socket,
      head,
      { host: node.host, port: node.port, path: `${node.path}${rest}` },
      // The viewer's cookies and Origin for this gateway mean nothing to the node.
      { keepalive, dropHeaders: ['cookie', 'authorization', 'origin'], addHeaders: this.access.internalHeaders(claims.sessionId) },
    );
    this.connections.add(claims.sessionId, connection);
    this.logger.debug({ sessionId: claims.sessionId, kind: path.kind, scope: claims.scope }, 'live view connected');
  }
}
