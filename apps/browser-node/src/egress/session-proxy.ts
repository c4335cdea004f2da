import http from 'node:http';
import { routeFor, type ProxyRule } from '@hangar/domain';
import type { Logger } from '@hangar/runtime';
import { RequestError, Server, type PrepareRequestFunctionOpts, type PrepareRequestFunctionResult } from 'proxy-chain';
import type { CheckedLookup, EgressGuard } from './egress-guard.js';

/** The default port of an upstream's scheme, for the egress check of the upstream itself. */
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

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
 * Before any connection, direct or to an upstream, the egress policy judges where it goes
 * (egress-guard.ts): a refusal is a 403 to the browser (or a failed tunnel for HTTPS and
 * WebSockets), logged with the reason, and nothing is connected.
 *
 * `proxyBytes` are the bytes, both ways, of the browser's connections that went through an
 * upstream proxy (its own or the pool's), as measured on the browser's side of this proxy:
 * live connections from their stats, closed ones once they close.
 */
export class SessionProxy {
  private rules: readonly ProxyRule[] = [];
  private readonly upstreamConnections = new Set<number>();
  private closedUpstreamBytes = 0;

  private readonly heldPorts: number[] = [];
  /**
   * Plain-HTTP requests sent direct reuse their connections to a site, as the browser's own would:
   * without it proxy-chain opens a TCP connection per request. A reused connection goes to an
   * address already judged when it was opened.
   */
  private readonly directAgent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  private devtoolsPort: number | undefined;
  private closed = false;

  private constructor(
    private readonly server: Server,
    private logger: Logger,
    private readonly guard: EgressGuard,
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
  static async start(logger: Logger, guard: EgressGuard): Promise<SessionProxy> {
    const holder: { proxy?: SessionProxy } = {};
    const server = new Server({ port: 0, host: '127.0.0.1', prepareRequestFunction: (opts) => holder.proxy!.prepare(opts) });
    const proxy = (holder.proxy = new SessionProxy(server, logger, guard));
    await server.listen();
    proxy.holdPort(server.port);
    return proxy;
  }

  /** A port of this browser's: one of Hangar's own, closed to every browser, until this proxy closes. */
  holdPort(port: number): void {
    this.guard.holdPort(port);
    this.heldPorts.push(port);
  }

  /** Its browser's DevTools port: held like the others, and open to this browser alone (egress-guard.ts `admit`). */
  holdDevtoolsPort(port: number): void {
    this.holdPort(port);
    this.devtoolsPort = port;
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

  private async prepare({ hostname, port, connectionId }: PrepareRequestFunctionOpts): Promise<PrepareRequestFunctionResult> {
    const route = routeFor(this.rules, hostname);
    const upstreamUrl = route.kind === 'upstream' ? route.url : undefined;
    const upstream = upstreamUrl ? new URL(upstreamUrl) : undefined;
    const host = upstream ? upstream.hostname : hostname;
    const to = upstream ? Number(upstream.port || DEFAULT_PORTS[upstream.protocol] || 1080) : port;
    let dnsLookup: CheckedLookup;
    try {
      dnsLookup = await this.guard.admit(host, to, upstream ? undefined : this.devtoolsPort);
    } catch (err) {
      // A name that does not resolve is the page's own affair (and Chromium's background fetches, on a closed network): debug.
      if (err instanceof RequestError) this.logger[err.statusCode === 403 ? 'info' : 'debug']({ host: hostname, port, ...(upstream ? { upstream: `${host}:${to}` } : {}), why: err.message }, 'egress refused');
      throw err;
    }
    if (!upstream) return { dnsLookup: dnsLookup as PrepareRequestFunctionResult['dnsLookup'], httpAgent: this.directAgent };
    this.upstreamConnections.add(connectionId);
    return { upstreamProxyUrl: upstreamUrl, dnsLookup: dnsLookup as PrepareRequestFunctionResult['dnsLookup'] };
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
    if (this.closed) return;
    this.closed = true;
    await this.server.close(true).catch(() => undefined);
    this.directAgent.destroy();
    for (const port of this.heldPorts.splice(0)) this.guard.releasePort(port);
  }
}
