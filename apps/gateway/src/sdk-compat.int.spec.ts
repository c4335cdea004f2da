import Browserbase from '@browserbasehq/sdk';
import type { INestMicroservice } from '@nestjs/common';
import type { RunningGateway } from './app.factory.js';
import { FakeScheduler, startFakeScheduler } from './testing/fake-scheduler.js';
import { bootGateway, seedProjectRows, startInfra, type Infra, type SeededProject } from './testing/infra.js';

/**
 * The bar in API.md: the official SDK, pointed at Hangar by its base URL, works unchanged.
 * Every call here goes through the real SDK (its headers, serialization and error classes).
 */
let infra: Infra;
let gateway: RunningGateway;
let scheduler: FakeScheduler;
let project: SeededProject;
let bb: Browserbase;

beforeAll(async () => {
  infra = await startInfra();
  project = await seedProjectRows(infra.repos, { concurrency: 2, defaultTimeout: 600 });
  gateway = await bootGateway(infra);
  scheduler = new FakeScheduler(infra.store);
  const app: INestMicroservice = await startFakeScheduler(infra.nats.url, scheduler);
  infra.deferApp(() => app.close());
  bb = new Browserbase({ apiKey: project.apiKey, baseURL: gateway.url, maxRetries: 0 });
});

afterAll(async () => {
  await infra?.stop();
});

afterEach(() => scheduler.reset());

it('sessions.create / retrieve / list / update', async () => {
  const created = await bb.sessions.create({
    projectId: project.projectId,
    keepAlive: true,
    api_timeout: 120,
    region: 'us-east-1',
    userMetadata: { run: { id: 'sdk-1' } },
    browserSettings: { viewport: { width: 1024, height: 768 }, blockAds: true },
  });
  expect(created).toMatchObject({ projectId: project.projectId, keepAlive: true, region: 'us-east-1', status: 'RUNNING' });
  expect(created.connectUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?signingKey=/);
  expect(scheduler.creates[0]).toMatchObject({ timeoutSeconds: 120, region: 'us-east-1', browserSettings: { viewport: { width: 1024, height: 768 }, blockAds: true } });

  const retrieved = await bb.sessions.retrieve(created.id);
  expect(retrieved.id).toBe(created.id);
  expect(retrieved.signingKey).toBe(created.signingKey);

  const released = await bb.sessions.update(created.id, { status: 'REQUEST_RELEASE' });
  expect(released.status).toBe('COMPLETED');

  // The list reads the projection; write the row as the projector would.
  await infra.repos.sessions.upsert({ ...released, clients: 0, version: 99 } as never);
  const listed = await bb.sessions.list({ q: "user_metadata['run']['id']:'sdk-1'", status: 'COMPLETED' });
  expect(Array.isArray(listed)).toBe(true);
  expect(listed.map((s) => s.id)).toEqual([created.id]);
});

it('projects.list / retrieve / usage', async () => {
  const projects = await bb.projects.list();
  expect(projects).toEqual([expect.objectContaining({ id: project.projectId, concurrency: 2, defaultTimeout: 600 })]);
  expect((await bb.projects.retrieve(project.projectId)).id).toBe(project.projectId);
  expect(await bb.projects.usage(project.projectId)).toEqual({ browserMinutes: expect.any(Number), proxyBytes: 0 });
});

it('errors arrive as the SDK error classes', async () => {
  const stranger = new Browserbase({ apiKey: 'hgr_wrong', baseURL: gateway.url, maxRetries: 0 });
  await expect(stranger.sessions.list()).rejects.toBeInstanceOf(Browserbase.AuthenticationError);
  await expect(bb.sessions.retrieve('no-such-session')).rejects.toBeInstanceOf(Browserbase.NotFoundError);
  await expect(bb.sessions.create({ api_timeout: 5 })).rejects.toMatchObject({ status: 400, error: { message: 'timeout must be an integer between 60 and 21600' } });

  scheduler.onCreate = async () => ({ ok: false, error: { code: 'RATE_LIMITED', message: 'limit 2, currently 2', retryAfterSeconds: 30, limit: 2, remaining: 0, resetSeconds: 30 } });
  const limited = await bb.sessions.create().catch((err: unknown) => err);
  expect(limited).toBeInstanceOf(Browserbase.RateLimitError);
  expect((limited as InstanceType<typeof Browserbase.RateLimitError>).headers).toMatchObject({ 'retry-after': '30', 'x-ratelimit-limit': '2' });
});

it('the SDK retries a 503 and succeeds once the scheduler answers', async () => {
  let calls = 0;
  scheduler.onCreate = async (cmd) => (++calls === 1 ? { ok: false, error: { code: 'NO_CAPACITY', message: 'busy', retryAfterSeconds: 0 } } : scheduler.startSession(cmd));
  const retrying = new Browserbase({ apiKey: project.apiKey, baseURL: gateway.url, maxRetries: 2 });
  const created = await retrying.sessions.create();
  expect(created.status).toBe('RUNNING');
  expect(calls).toBe(2);
});
