import { routeFor, type ProxyRule } from '@hangar/domain';
import type { Logger } from '@hangar/runtime';
import { Server, type PrepareRequestFunctionOpts, type PrepareRequestFunctionResult } from 'proxy-chain';

/**
 * The front proxy of one browser: every browser the node starts (warm ones too) sends all of its
 * traffic here (`--proxy-server`, loopback included: chromium.flags.ts), and this decides where
 * each request or tunnel goes. A session's `proxies` rules (packages/domain network/) are set when
 * it takes the browser; until then, and for a host no rule matches, it goes direct.
 *
 * proxy-chain does the proxying (HTTP forwarding, CONNECT tunnels for HTTPS and WebSockets,
 * upstream chaining with credentials, SOCKS upstreams, byte counts): Chromium takes no
 * credentials in `--proxy-server`, so an upstream's live here and the browser never sees a prompt.
 *
 * `proxyBytes` are the bytes, both ways, of the browser's connections that went through an
 * upstream proxy (its own or the pool's), as measured on the browser's side of this proxy:
 * live connections from their stats, closed ones once they close.
 */
export class SessionProxy {
  private rules: readonly ProxyRule[] = [];
  private readonly upstreamConnections = new Set<number>();
  private closedUpstreamBytes = 0;

  private constructor(
    private readonly server: Server,
    private logger: Logger,
  ) {
    server.on('connectionClosed', ({ connectionId, stats }: { connectionId: number; stats?: { srcTxBytes: number; srcRxBytes: number } }) => {
      if (!this.upstreamConnections.delete(connectionId)) return;
      this.closedUpstreamBytes += (stats?.srcTxBytes ?? 0) + (stats?.srcRxBytes ?? 0);
    });
    server.on('requestFailed', ({ error, request }: { error: Error; request: { url?: string } }) => {
      this.logger.debug({ err: error, url: request.url?.slice(0, 200) }, 'a proxied request failed');
    });
  }

  /** Listening on a free loopback port. */
  static async start(logger: Logger): Promise<SessionProxy> {
    const holder: { proxy?: SessionProxy } = {};
    const server = new Server({ port: 0, host: '127.0.0.1', prepareRequestFunction: (opts) => holder.proxy!.prepare(opts) });
    const proxy = (holder.proxy = new SessionProxy(server, logger));
    await server.listen();
    return proxy;
  }

  get port(): number {
    return this.server.port;
  }

  /**
   * The session's rules from now on. Connections opened before (a warm browser's, or the
   * previous rules') are cut, so nothing keeps going where the old rules sent it: Chromium
   * reconnects through the new ones.
   */
  bind(rules: readonly ProxyRule[], logger: Logger): void {
    this.rules = rules;
    this.logger = logger;
    this.server.closeConnections();
  }

  private prepare({ hostname, connectionId }: PrepareRequestFunctionOpts): PrepareRequestFunctionResult {
    const route = routeFor(this.rules, hostname);
    if (route.kind === 'direct') return {};
    this.upstreamConnections.add(connectionId);
    return { upstreamProxyUrl: route.url };
  }

  /** Bytes through an upstream so far, open connections included. */
  proxyBytes(): number {
    let live = 0;
    for (const id of this.upstreamConnections) {
      const stats = this.server.getConnectionStats(id);
      if (stats) live += stats.srcTxBytes + stats.srcRxBytes;
    }
    return this.closedUpstreamBytes + live;
  }

  /** Every connection cut and the port closed; idempotent. */
  async close(): Promise<void> {
    await this.server.close(true).catch(() => undefined);
  }
}
