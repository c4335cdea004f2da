import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SessionRequested, subjects } from '@hangar/contracts';
import { findNatsServer, startEmbeddedPostgres, startNatsServer } from '@hangar/stack';
import type { RunningGateway } from '../app.factory.js';
import { apiClient } from '../testing/http-client.js';
import { bootGateway, seedProjectRows, startInfra, type Infra, type SeededProject } from '../testing/infra.js';
import { openApiDocument } from './openapi.document.js';

let infra: Infra;
let gateway: RunningGateway;
let a: SeededProject;
let call: ReturnType<typeof apiClient>;

beforeAll(async () => {
  infra = await startInfra();
  a = await seedProjectRows(infra.repos);
  gateway = await bootGateway(infra, { HANGAR_COMMAND_TIMEOUT_MS: '1000' });
  call = apiClient(gateway.url, a.apiKey);
});

afterAll(async () => {
  await infra?.stop();
});

describe('operational endpoints', () => {
  it('/healthz answers without credentials', async () => {
    const res = await apiClient(gateway.url)('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 with NATS and Postgres up', async () => {
    const res = await apiClient(gateway.url)('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', details: { nats: { status: 'up' }, postgres: { status: 'up' } } });
  });

  it('/metrics has default metrics and requests by route template and status', async () => {
    await call('GET', `/v1/sessions/${randomUUID()}`);
    await call('GET', '/v1/no-such-route');
    const res = await apiClient(gateway.url)('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.body).toContain('process_cpu_user_seconds_total{service="gateway"}');
    expect(res.body).toContain('hangar_gateway_http_requests_total{method="GET",route="/v1/sessions/:id",status="404",service="gateway"}');
    expect(res.body).toContain('hangar_gateway_http_requests_total{method="GET",route="unmatched",status="404",service="gateway"}');
    expect(res.body).toContain('hangar_gateway_http_request_duration_seconds_bucket');
  });

  it('/openapi.json documents only routes that exist', async () => {
    const res = await apiClient(gateway.url)('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(openApiDocument(gateway.url))));
    for (const [route, item] of Object.entries(res.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item).filter((m) => ['get', 'post'].includes(m))) {
        const concrete = route.replace('{id}', a.projectId);
        const probe = await call(method.toUpperCase(), concrete, method === 'post' ? { body: {} } : {});
        expect({ route, method, routed: !/^Cannot /.test(probe.body?.message ?? '') }).toEqual({ route, method, routed: true });
      }
    }
  });

  it('/docs is Swagger UI over /openapi.json, every file served by the gateway itself (no CDN)', async () => {
    const anon = apiClient(gateway.url);
    const page = await anon('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain("url: '/openapi.json'");
    const referenced = [...(page.body as string).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(referenced.length).toBeGreaterThanOrEqual(3);
    for (const url of referenced) {
      expect(url).toMatch(/^\/docs\//);
      const asset = await anon('GET', url);
      expect({ url, status: asset.status, size: String(asset.body).length > 100 }).toEqual({ url, status: 200, size: true });
    }
    expect((await anon('GET', '/docs/swagger-ui-bundle.js')).headers.get('content-type')).toContain('javascript');
    for (const probe of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/index.html']) expect((await anon('GET', probe)).status).toBe(404);
  });

  it('only the connect proxy listens for upgrades: Fastify never sees them', () => {
    expect(gateway.app.getHttpServer().listeners('upgrade')).toHaveLength(1);
  });
});

describe('dependency outages are 503, never 500, and readiness follows them', () => {
  it('NATS down: /readyz 503, create 503, a projected session still readable; back up: ready again', async () => {
    const sessionId = randomUUID();
    const [seq] = await infra.store.append(subjects.sessionEvents(sessionId), [
      SessionRequested.create(
        { sessionId, projectId: a.projectId, keepAlive: false, timeoutSeconds: 60, region: 'us-west-2', expiresAt: new Date().toISOString(), browserSettings: {} },
        { correlationId: 'ops-it' },
      ),
    ]);
    const now = new Date().toISOString();
    await infra.repos.sessions.upsert({
      id: sessionId,
      projectId: a.projectId,
      status: 'PENDING',
      createdAt: now,
      updatedAt: now,
      startedAt: now,
      expiresAt: now,
      keepAlive: false,
      region: 'us-west-2',
      clients: 0,
      version: seq!,
    });

    const port = infra.nats.server.port;
    await infra.nats.server.stop();
    try {
      const ready = await apiClient(gateway.url)('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'error', error: { nats: { status: 'down' } } });

      const created = await call('POST', '/v1/sessions', { body: {} });
      expect(created.status).toBe(503);
      expect(created.headers.get('retry-after')).toBe('1');

      const readStarted = Date.now();
      const read = await call('GET', `/v1/sessions/${sessionId}`);
      expect(Date.now() - readStarted).toBeLessThan(2_500);
      expect(read.status).toBe(200);
      expect(read.body.id).toBe(sessionId);
    } finally {
      const restarted = await startNatsServer({ binary: findNatsServer()!, port, dataDir: path.join(infra.natsDir, 'nats') });
      infra.defer(() => restarted.stop());
    }
    await waitFor(async () => (await apiClient(gateway.url)('GET', '/readyz')).status === 200);
  }, 30_000);

  it('Postgres down: /readyz 503 and reads 503; back up: ready again', async () => {
    const port = infra.postgres.server.port;
    await infra.postgres.server.stop();
    try {
      const ready = await apiClient(gateway.url)('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'error', error: { postgres: { status: 'down' } } });
      const list = await call('GET', '/v1/sessions');
      // The key is cached, so this reaches the sessions query and meets the outage there.
      expect(list.status).toBe(503);
      expect(list.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'a backing service is unavailable; retry shortly' });
    } finally {
      const restarted = await startEmbeddedPostgres({ dataDir: path.join(infra.pgDir, 'pg'), port });
      infra.defer(() => restarted.stop());
    }
    await waitFor(async () => (await apiClient(gateway.url)('GET', '/readyz')).status === 200);
    expect((await call('GET', '/v1/sessions')).status).toBe(200);
  }, 30_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
