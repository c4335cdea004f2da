import { randomUUID } from 'node:crypto';
import { createLogger } from '@hangar/runtime';
import { eventually } from '@hangar/testing';
import { startGateway, type RunningGateway } from '../app.factory.js';
import { apiClient } from '../testing/http-client.js';
import { gatewayEnv, seedProjectRows, startInfra, type Infra, type SeededProject } from '../testing/infra.js';

type Line = Record<string, unknown> & { level: number; msg: string };
const INFO = 30;
const DEBUG = 20;

let infra: Infra;
let gateway: RunningGateway;
let a: SeededProject;
const lines: Line[] = [];

beforeAll(async () => {
  infra = await startInfra();
  a = await seedProjectRows(infra.repos);
  // The gateway's own logger, at debug, writing into this file's hands instead of stdout.
  const logger = createLogger('gateway', 'debug', { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  gateway = await startGateway(await gatewayEnv(infra, { HANGAR_COMMAND_TIMEOUT_MS: '500' }), logger);
  infra.deferApp(() => gateway.close());
});
afterAll(async () => {
  await infra?.stop();
});

const accessLines = () => lines.filter((l) => l.msg === 'request');
/** The answer reaches the client before the response's end is logged: wait for the line. */
const lineFor = (match: (l: Line) => boolean) => eventually(() => accessLines().filter(match), (found) => found.length > 0);

describe('the gateway access log', () => {
  it('one info line per request: method, route pattern, status, ms, correlationId, and the sessionId the route names', async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const id = randomUUID();
    const res = await call('GET', `/v1/sessions/${id}?foo=bar`);
    expect(res.status).toBe(404);
    const [line, ...more] = await lineFor((l) => l.sessionId === id);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: INFO, service: 'gateway', method: 'GET', route: '/v1/sessions/:id', status: 404, sessionId: id, correlationId: expect.any(String) });
    expect(typeof line!.ms).toBe('number');
    // The pattern, never the raw URL: no id, no query string anywhere in the line but sessionId.
    expect(JSON.stringify({ ...line, sessionId: undefined })).not.toContain(id);
    expect(JSON.stringify(line)).not.toContain('foo=bar');
  });

  it('a route without a session has no sessionId; a refused create is logged with its status', async () => {
    const call = apiClient(gateway.url, a.apiKey);
    const bad = await call('POST', '/v1/sessions', { body: { timeout: 1 } });
    expect(bad.status).toBe(400);
    const [line] = await lineFor((l) => l.method === 'POST' && l.route === '/v1/sessions' && l.status === 400);
    expect(line).not.toHaveProperty('sessionId');
    expect(line!.level).toBe(INFO);
  });

  it('unknown routes are "unmatched"; probes and scrapes are debug', async () => {
    const anon = apiClient(gateway.url);
    expect((await anon('GET', `/v1/no-such-${randomUUID()}`)).status).toBe(404);
    await lineFor((l) => l.route === 'unmatched' && l.status === 404 && l.level === INFO);
    for (const route of ['/healthz', '/metrics']) {
      expect((await anon('GET', route)).status).toBe(200);
      const [line] = await lineFor((l) => l.route === route);
      expect(line).toMatchObject({ level: DEBUG, method: 'GET', status: 200 });
    }
  });
});
