import { signingKeyFor } from './signing-key.js';

export interface ConnectInfo {
  connectUrl: string;
  seleniumRemoteUrl: string;
  signingKey: string;
}

/** Where clients reach this gateway, as told by HANGAR_PUBLIC_URL or derived from the bind address. */
export class PublicUrls {
  http = '';
  ws = '';
  /** The path a connect upgrade arrives on: `/`, or the public URL's path prefix. */
  connectPath = '/';

  constructor(
    private readonly options: { publicUrl?: string | undefined; host: string; port: number },
    private readonly signingSecret: string,
  ) {
    this.listeningOn(options.port);
  }

  /** With HANGAR_PORT=0 the real port is known only once the server listens. */
  listeningOn(port: number): void {
    const base = new URL(this.options.publicUrl ?? `http://${reachableHost(this.options.host)}:${port}`);
    const prefix = base.pathname.replace(/\/+$/, '');
    this.http = `${base.protocol}//${base.host}${prefix}`;
    this.ws = `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}${prefix}`;
    this.connectPath = `${prefix}/`;
  }

  connectInfo(sessionId: string): ConnectInfo {
    const signingKey = signingKeyFor(this.signingSecret, sessionId);
    return {
      connectUrl: `${this.ws}/?signingKey=${encodeURIComponent(signingKey)}`,
      seleniumRemoteUrl: `${this.http}/webdriver`,
      signingKey,
    };
  }
}

/** A wildcard bind address is not somewhere a client can connect to; loopback is the honest guess. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
