import type { RunningGateway } from '../app.factory.js';
import { FakeScheduler } from './fake-scheduler.js';
import { apiClient } from './http-client.js';
import { bootGateway, seedProjectRows, startInfra, type Infra, type SeededProject } from './infra.js';

export interface GatewayFixture {
  infra: Infra;
  gateway: RunningGateway;
  /** Two projects, each with its own key, to prove isolation. */
  a: SeededProject;
  b: SeededProject;
  callA: ReturnType<typeof apiClient>;
  callB: ReturnType<typeof apiClient>;
  anon: ReturnType<typeof apiClient>;
  scheduler: FakeScheduler;
}

/** A pool for the gateway to validate `proxies: true` and geolocations against (no traffic goes to it here). */
export const TEST_PROXY_POOL = JSON.stringify([{ url: 'http://127.0.0.1:9', country: 'US', state: 'NY', city: 'New York' }]);

/** Real Postgres + NATS, two seeded projects and a gateway, for one spec file's lifetime. */
export function useGatewayFixture(): GatewayFixture {
  const f = {} as GatewayFixture;
  beforeAll(async () => {
    f.infra = await startInfra();
    f.a = await seedProjectRows(f.infra.repos, { defaultTimeout: 900 });
    f.b = await seedProjectRows(f.infra.repos);
    // No projector runs here (rows are written by the tests): lists answer from the rows as they are.
    f.gateway = await bootGateway(f.infra, { HANGAR_COMMAND_TIMEOUT_MS: '1500', HANGAR_BODY_LIMIT_BYTES: '4096', HANGAR_LIST_WAIT_MS: '0', HANGAR_PROXY_POOL: TEST_PROXY_POOL });
    f.callA = apiClient(f.gateway.url, f.a.apiKey);
    f.callB = apiClient(f.gateway.url, f.b.apiKey);
    f.anon = apiClient(f.gateway.url);
    f.scheduler = new FakeScheduler(f.infra.store);
  });
  afterAll(async () => {
    await f.infra?.stop();
  });
  return f;
}

export const errorBody = (statusCode: number, error: string, message: string | RegExp) => ({
  statusCode,
  error,
  message: typeof message === 'string' ? message : expect.stringMatching(message),
});
