import { subjects, type SessionEvent } from '@hangar/contracts';
import { eventually } from '@hangar/testing';
import type { FakeNode } from './test/fake-node.js';
import { startScheduler, type SchedulerHarness } from './test/scheduler-harness.js';

// One second of a session's timeout lasts 5 ms: 60 s → 300 ms. Nobody connecting ends a session
// after 1.5 s (fake nodes connect a client at once unless told not to).
const env = {
  HANGAR_TIMEOUT_SECOND_MS: '5',
  HANGAR_CONNECT_TIMEOUT_MS: '1500',
  HANGAR_NODE_LOST_MS: '600',
  HANGAR_NODE_SWEEP_MS: '50',
  HANGAR_START_TIMEOUT_MS: '500',
};

let h: SchedulerHarness;
let west: FakeNode;

beforeAll(async () => {
  h = await startScheduler(env);
  west = await h.addNode('west-1', 'us-west-2', 50);
});
afterAll(async () => {
  await h?.stop();
});
afterEach(() => {
  west.onStart = 'start';
  west.connects = true;
});

async function ended(h: SchedulerHarness, sessionId: string) {
  const events = await eventually(() => h.events(sessionId), (es) => es.some((e) => e.type === 'SessionEnded'), 10_000);
  return events.find((e): e is Extract<SessionEvent, { type: 'SessionEnded' }> => e.type === 'SessionEnded')!;
}

describe('admission', () => {
  it('admits up to the project concurrency, racing creates included, and again once a session ends', async () => {
    const projectId = await h.addProject({ concurrency: 2 });
    const replies = await Promise.all([h.create(projectId), h.create(projectId), h.create(projectId)]);
    const admitted = replies.flatMap((r) => (r.ok ? [r.value] : []));
    expect(admitted).toHaveLength(2);
    expect(replies.find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', limit: 2, remaining: 0, retryAfterSeconds: 1 } });

    const released = await h.release(projectId, admitted[0]!.id);
    expect(released).toMatchObject({ ok: true, value: { status: 'COMPLETED', endReason: 'RELEASED' } });
    expect(west.stops.at(-1)).toMatchObject({ sessionId: admitted[0]!.id, reason: 'RELEASED', status: 'COMPLETED' });
    expect(await h.create(projectId)).toMatchObject({ ok: true });
  });

  it('refuses past the create rate, with when to retry', async () => {
    const projectId = await h.addProject({ concurrency: 10, createRatePerMinute: 1 });
    expect(await h.create(projectId)).toMatchObject({ ok: true });
    const refused = await h.create(projectId);
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', limit: 1 } });
    expect(refused.ok ? 0 : refused.error.retryAfterSeconds).toBeGreaterThanOrEqual(59);
  });

  it('answers NOT_FOUND for a project the log does not know', async () => {
    expect(await h.create('no-such-project')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('placement', () => {
  it('places on the least-loaded node of the region relative to capacity, and says when all are full', async () => {
    const small = await h.addNode('eu-small', 'eu-central-1', 1);
    const large = await h.addNode('eu-large', 'eu-central-1', 2);
    const projectId = await h.addProject({ concurrency: 10 });
    const nodeOf = async () => {
      const reply = await h.create(projectId, { region: 'eu-central-1' });
      return reply.ok ? reply.value.nodeId : reply.error.code;
    };
    // Both empty: the one with more free slots; then the emptier; then the only one with room.
    expect(await nodeOf()).toBe(large.nodeId);
    expect(await nodeOf()).toBe(small.nodeId);
    expect(await nodeOf()).toBe(large.nodeId);
    expect(await nodeOf()).toBe('NO_CAPACITY');
  });

  it('refuses a region no node serves', async () => {
    const projectId = await h.addProject({ concurrency: 10 });
    expect(await h.create(projectId, { region: 'ap-southeast-1' })).toMatchObject({ ok: false, error: { code: 'NO_REGION' } });
  });

  it('ends the session when the node refuses the start or does not answer', async () => {
    const projectId = await h.addProject({ concurrency: 10 });
    west.onStart = 'refuse';
    expect(await h.create(projectId)).toMatchObject({ ok: false, error: { code: 'LAUNCH_FAILED' } });
    west.onStart = 'hang';
    expect(await h.create(projectId)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    const [refused, unanswered] = west.starts.slice(-2).map((s) => s.sessionId);
    expect((await ended(h, refused!)).data).toMatchObject({ status: 'ERROR', reason: 'LAUNCH_FAILED' });
    expect((await ended(h, unanswered!)).data).toMatchObject({ status: 'ERROR', reason: 'NODE_UNREACHABLE' });
  });
});

describe('deadlines', () => {
  it('times a session out at expiresAt, through its node', async () => {
    const projectId = await h.addProject({ concurrency: 10 });
    const reply = await h.create(projectId, { timeoutSeconds: 60 });
    if (!reply.ok) throw new Error(reply.error.message);
    expect((await ended(h, reply.value.id)).data).toMatchObject({ status: 'TIMED_OUT', reason: 'TIMEOUT' });
    expect(west.stops.find((s) => s.sessionId === reply.value.id)).toMatchObject({ reason: 'TIMEOUT', status: 'TIMED_OUT' });
  });

  it('ends a session nobody connects to within the connect timeout', async () => {
    const projectId = await h.addProject({ concurrency: 10 });
    west.connects = false;
    const reply = await h.create(projectId);
    if (!reply.ok) throw new Error(reply.error.message);
    expect((await ended(h, reply.value.id)).data).toMatchObject({ status: 'TIMED_OUT', reason: 'CONNECT_TIMEOUT' });
  });
});

describe('node loss', () => {
  it('declares a silent node lost and ends its sessions ERROR / NODE_LOST', async () => {
    const doomed = await h.addNode('east-1', 'us-east-1', 4);
    const projectId = await h.addProject({ concurrency: 10 });
    const reply = await h.create(projectId, { region: 'us-east-1' });
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.value.nodeId).toBe(doomed.nodeId);

    doomed.stopHeartbeats();
    expect((await ended(h, reply.value.id)).data).toMatchObject({ status: 'ERROR', reason: 'NODE_LOST' });
    const nodeEvents = await h.nats.store.read(subjects.nodeEvents(doomed.nodeId));
    expect(nodeEvents.map((e) => e.event)).toContainEqual(expect.objectContaining({ type: 'NodeLeft', data: { nodeId: doomed.nodeId, reason: 'LOST' } }));
    // Nothing is placed on it any more: its region has no live node.
    expect(await h.create(projectId, { region: 'us-east-1' })).toMatchObject({ ok: false, error: { code: 'NO_REGION' } });
  });
});
