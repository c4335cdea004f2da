import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

// Deadlines run on an injected clock: one "timeout second" lasts 20 ms, the connect window 3 s.
describe('limits, deadlines and isolation', () => {
  let t: TestStack;
  let bb: Browserbase;

  beforeAll(async () => {
    t = await startTestStack({
      concurrency: 2,
      // A create sent in the instant after the scheduler's kill -9 can still be routed to its dying
      // connection and then waits out the whole command deadline (docs/failure-model.md): 8 s here,
      // not 30 s, so the session that must survive the restart is not timed out meanwhile.
      env: { scheduler: { HANGAR_TIMEOUT_SECOND_MS: '20', HANGAR_CONNECT_TIMEOUT_MS: '3000' }, gateway: { HANGAR_COMMAND_TIMEOUT_MS: '8000' } },
    });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('admits exactly `concurrency` of many simultaneous creates and answers 429 with rate-limit headers', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => api(t.stack, 'POST', '/v1/sessions', { keepAlive: true })));
    const created = results.filter((r) => r.status === 201);
    const limited = results.filter((r) => r.status === 429);
    expect(created).toHaveLength(2);
    expect(limited).toHaveLength(18);
    const refused = limited[0]!;
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(refused.body.message).toMatch(/concurrency/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('2');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).not.toBeNull();

    for (const r of created) await bb.sessions.update(r.body.id, { status: 'REQUEST_RELEASE' });
    // A slot frees as soon as a session ends.
    const again = await api(t.stack, 'POST', '/v1/sessions', {});
    expect(again.status).toBe(201);
    await bb.sessions.update(again.body.id, { status: 'REQUEST_RELEASE' });
  });

  it('times a session out at its timeout (TIMED_OUT) even while a client is connected', async () => {
    // 250 "seconds" of 20 ms: 5 s, room for a connect on a loaded machine.
    const created = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true, api_timeout: 250 });
    const browser = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    const disconnected = new Promise<void>((resolve) => browser.once('disconnected', () => resolve()));
    const ended = await eventually(() => bb.sessions.retrieve(created.id), (s) => s.status !== 'RUNNING', 15_000);
    expect(ended.status).toBe('TIMED_OUT');
    expect(Date.parse(ended.endedAt!)).toBeGreaterThanOrEqual(Date.parse(created.expiresAt) - 50);
    // The client's socket is closed with the browser.
    await disconnected;
  });

  it('ends a session nobody connects to within the connect window', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true, api_timeout: 21600 });
    const ended = await eventually(() => bb.sessions.retrieve(created.id), (s) => s.status !== 'RUNNING', 15_000);
    expect(ended.status).toBe('TIMED_OUT');
  });

  it('keeps two projects apart: another project’s session is a 404, never a 403 leak', async () => {
    const other = await t.stack.seedProject({ concurrency: 1, name: 'Other' });
    const mine = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const theirs = await api(t.stack, 'POST', '/v1/sessions', {}, other.apiKey);
    expect(theirs.status).toBe(201);
    expect(theirs.body.projectId).toBe(other.projectId);

    expect((await api(t.stack, 'GET', `/v1/sessions/${mine.id}`, undefined, other.apiKey)).status).toBe(404);
    expect((await api(t.stack, 'POST', `/v1/sessions/${mine.id}`, { status: 'REQUEST_RELEASE' }, other.apiKey)).status).toBe(404);
    expect((await api(t.stack, 'GET', `/v1/projects/${t.stack.projectId}`, undefined, other.apiKey)).status).toBe(404);
    const list = await api(t.stack, 'GET', '/v1/sessions', undefined, other.apiKey);
    expect(list.body.map((s: { id: string }) => s.id)).toEqual([theirs.body.id]);
    // Naming another project in the body is refused outright.
    const wrong = await api(t.stack, 'POST', '/v1/sessions', { projectId: t.stack.projectId }, other.apiKey);
    expect(wrong.status).toBe(403);
    // The other project's own limit (1) applies to it alone.
    expect((await api(t.stack, 'POST', '/v1/sessions', {}, other.apiKey)).status).toBe(429);
    const projects = await api(t.stack, 'GET', '/v1/projects', undefined, other.apiKey);
    expect(projects.body).toEqual([expect.objectContaining({ id: other.projectId, concurrency: 1 })]);

    await bb.sessions.update(mine.id, { status: 'REQUEST_RELEASE' });
    expect((await api(t.stack, 'POST', `/v1/sessions/${theirs.body.id}`, { status: 'REQUEST_RELEASE' }, other.apiKey)).body.status).toBe('COMPLETED');
  });

  it('answers bad input with a 4xx that names the field and the rule', async () => {
    const cases: [unknown, RegExp][] = [
      [{ timeout: 10 }, /timeout/],
      [{ timeout: 'soon' }, /timeout/],
      [{ region: 'mars-1' }, /region/],
      [{ keepAlive: 'yes' }, /keepAlive/],
      [{ userMetadata: { tags: ['a'] } }, /userMetadata/],
      [{ userMetadata: { big: 'x'.repeat(600) } }, /userMetadata/],
      [{ browserSettings: { viewport: { width: -1, height: 10 } } }, /viewport/],
    ];
    for (const [body, field] of cases) {
      const res = await api(t.stack, 'POST', '/v1/sessions', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toMatch(field);
    }
    expect((await api(t.stack, 'POST', '/v1/sessions', '{"keepAlive": tru')).status).toBe(400);
    expect((await api(t.stack, 'POST', '/v1/sessions', JSON.stringify({ userMetadata: { pad: 'x'.repeat(2_000_000) } }))).status).toBe(413);
    expect((await api(t.stack, 'GET', '/v1/nope')).status).toBe(404);
    expect((await api(t.stack, 'GET', '/v1/sessions/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await api(t.stack, 'POST', '/v1/sessions/00000000-0000-0000-0000-000000000000', { status: 'PAUSE' })).status).toBe(400);
    expect((await api(t.stack, 'GET', '/v1/sessions?status=SLEEPING')).status).toBe(400);
  });

  it('rebuilds the scheduler from the event log after a kill -9: limits and deadlines still hold', async () => {
    // 1000 "seconds" of 20 ms: 20 s, past the worst case before the limit is checked: a create
    // that raced the kill (the 8 s command deadline), the restart, and the dead leader's 3 s lease.
    const survivor = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true, api_timeout: 1000 });
    const client = await puppeteer.connect({ browserWSEndpoint: survivor.connectUrl });
    await t.stack.services.get('scheduler-1')!.stop('SIGKILL');
    // While no scheduler answers, a create fails fast and retryably.
    expect((await api(t.stack, 'POST', '/v1/sessions', {})).status).toBe(503);
    t.stack.startService('scheduler-1');
    const second = await eventually(() => api(t.stack, 'POST', '/v1/sessions', { keepAlive: true }), (r) => r.status === 201, 15_000);
    // The survivor still counts: the limit of 2 is reached.
    expect((await api(t.stack, 'POST', '/v1/sessions', {})).status).toBe(429);
    // Its deadline was re-armed from the log.
    const ended = await eventually(() => bb.sessions.retrieve(survivor.id), (s) => s.status !== 'RUNNING', 25_000);
    expect(ended.status).toBe('TIMED_OUT');
    await client.disconnect();
    await bb.sessions.update(second.body.id, { status: 'REQUEST_RELEASE' });
  });

  it('limits a project to its create rate per minute, with the rate-limit headers', async () => {
    const rated = await t.stack.seedProject({ concurrency: 10, createRatePerMinute: 3, name: 'Rated' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api(t.stack, 'POST', '/v1/sessions', { keepAlive: true }, rated.apiKey);
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    // Releasing frees concurrency, not the rate window.
    for (const id of ids) await api(t.stack, 'POST', `/v1/sessions/${id}`, { status: 'REQUEST_RELEASE' }, rated.apiKey);
    const refused = await api(t.stack, 'POST', '/v1/sessions', {}, rated.apiKey);
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/rate of 3 sessions per minute/);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('reports usage for the project', async () => {
    const usage = await bb.projects.usage(t.stack.projectId);
    expect(usage).toEqual({ browserMinutes: expect.any(Number), proxyBytes: 0 });
    expect(usage.browserMinutes).toBeGreaterThan(0);
  });
});
