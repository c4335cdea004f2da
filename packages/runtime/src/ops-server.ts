import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface OpsServer {
  registry: Registry;
  port: number;
  close(): Promise<void>;
}

/**
 * `/healthz` (the process answers), `/readyz` (its dependencies answer) and `/metrics`
 * (Prometheus) for services that have no HTTP API of their own. Port 0 picks a free port;
 * `undefined` runs no server but still returns a registry to record into. `host` defaults to
 * loopback (HANGAR_OPS_HOST). Metric names are the same in every service: Node's default ones
 * unprefixed, told apart by the `service` label; Hangar's own `hangar_*` with their unit.
 * `registry`: one the service already records into (metrics counted before the server starts).
 */
export async function startOpsServer(options: {
  port?: number | undefined;
  host?: string;
  ready: () => Promise<boolean> | boolean;
  service: string;
  registry?: Registry;
}): Promise<OpsServer> {
  const registry = options.registry ?? new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  if (options.port === undefined) return { registry, port: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.url === '/healthz') return send(res, 200, { status: 'ok' });
      if (req.url === '/readyz') {
        const ok = await Promise.resolve(options.ready()).catch(() => false);
        return send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' });
      }
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType });
        return res.end(await registry.metrics());
      }
      send(res, 404, { statusCode: 404, error: 'Not Found', message: `no route ${req.url}` });
    })();
  });
  // A port in use (or an address not on this host) fails the start in its own words, not as an unhandled 'error'.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    registry,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
