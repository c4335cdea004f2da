import type { Msg, Subscription } from '@nats-io/transport-node';
import { subjects, type SchedulerStatus } from '@hangar/contracts';
import { errorBody, useGatewayFixture } from '../testing/gateway-fixture.js';

const f = useGatewayFixture();

let responder: Subscription | undefined;
const asked: string[] = [];

/** Stands in for the scheduler on the real status subject; `answer` undefined = subscribed but silent. */
async function respondWith(answer: ((msg: Msg) => unknown) | undefined): Promise<void> {
  responder = f.infra.nats.nc.subscribe(subjects.schedulerStatus, {
    callback: (_err, msg) => {
      asked.push(msg.string());
      const reply = answer?.(msg);
      if (reply !== undefined) msg.respond(typeof reply === 'string' ? reply : JSON.stringify(reply));
    },
  });
  await f.infra.nats.nc.flush();
}

afterEach(async () => {
  responder?.unsubscribe();
  responder = undefined;
  asked.length = 0;
  await f.infra.nats.nc.flush();
});

const at = '2025-01-02T03:04:05.000Z';
const node = (nodeId: string, over: Partial<SchedulerStatus['nodes'][number]> = {}): SchedulerStatus['nodes'][number] => ({
  nodeId,
  region: 'us-west-2',
  endpoint: `ws://${nodeId}:9222`,
  maxSessions: 8,
  running: 2,
  warmSlots: 0,
  load: 3,
  live: true,
  draining: false,
  lastSeenAt: at,
  ...over,
});

describe('GET /v1/nodes', () => {
  it('needs an API key', async () => {
    await respondWith(() => ({ ready: true, nodes: [] }));
    expect((await f.anon('GET', '/v1/nodes')).status).toBe(401);
    expect((await f.anon('GET', '/v1/nodes', { headers: { 'x-bb-api-key': 'hgr_nope' } })).status).toBe(401);
    expect(asked).toEqual([]);
  });

  it("lists the scheduler's fleet, each node ready, draining or lost, sorted by id", async () => {
    await respondWith(() => ({
      ready: true,
      nodes: [
        node('node-c', { live: false, draining: true, region: 'eu-central-1', lastSeenAt: '2025-01-02T03:00:00.000Z' }),
        node('node-a'),
        node('node-b', { draining: true, running: 1, load: 1 }),
      ],
    }));
    const res = await f.callA('GET', '/v1/nodes');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: 'node-a', region: 'us-west-2', endpoint: 'ws://node-a:9222', state: 'ready', maxSessions: 8, running: 2, load: 3, lastHeartbeatAt: at },
      { id: 'node-b', region: 'us-west-2', endpoint: 'ws://node-b:9222', state: 'draining', maxSessions: 8, running: 1, load: 1, lastHeartbeatAt: at },
      { id: 'node-c', region: 'eu-central-1', endpoint: 'ws://node-c:9222', state: 'lost', maxSessions: 8, running: 2, load: 3, lastHeartbeatAt: '2025-01-02T03:00:00.000Z' },
    ]);
    expect(asked).toEqual(['{}']);
  });

  it('an empty fleet is an empty list', async () => {
    await respondWith(() => ({ ready: true, nodes: [] }));
    const res = await f.callB('GET', '/v1/nodes');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('no scheduler subscribed is 503 at once', async () => {
    const started = Date.now();
    const res = await f.callA('GET', '/v1/nodes');
    expect(Date.now() - started).toBeLessThan(900);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toEqual(errorBody(503, 'Service Unavailable', 'the scheduler did not answer; retry shortly'));
  });

  it('a scheduler that does not answer within 1 s is 503', async () => {
    await respondWith(undefined);
    const started = Date.now();
    const res = await f.callA('GET', '/v1/nodes');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(res.status).toBe(503);
    expect(res.body).toEqual(errorBody(503, 'Service Unavailable', 'the scheduler did not answer; retry shortly'));
    expect(asked).toEqual(['{}']);
  });

  it('a scheduler still rebuilding its state is 503', async () => {
    await respondWith(() => ({ ready: false, nodes: [node('node-a')] }));
    const res = await f.callA('GET', '/v1/nodes');
    expect(res.status).toBe(503);
    expect(res.body).toEqual(errorBody(503, 'Service Unavailable', /rebuilding its state/));
  });

  it('a reply that breaks the contract is a 500, not a made-up list', async () => {
    await respondWith(() => ({ ready: true, nodes: [{ nodeId: 'x' }] }));
    const res = await f.callA('GET', '/v1/nodes');
    expect(res.status).toBe(500);
    expect(res.body).toEqual(errorBody(500, 'Internal Server Error', 'internal error'));
  });
});
