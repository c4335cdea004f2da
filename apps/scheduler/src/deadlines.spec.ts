import { SessionRequested, type SessionEvent } from '@hangar/contracts';
import { decideSession, foldSession, type SessionCommand, type SessionState } from '@hangar/domain';
import type { DeadlineReason } from '@hangar/domain';
import { Deadlines } from './deadlines.js';

const meta = { correlationId: 't' };

function session(createdAt: number, expiresInMs: number): SessionState {
  const requested: SessionEvent = SessionRequested.create(
    { sessionId: 's1', projectId: 'p1', keepAlive: false, timeoutSeconds: 60, region: 'us-west-2', expiresAt: new Date(createdAt + expiresInMs).toISOString(), browserSettings: {} },
    meta,
    { at: new Date(createdAt) },
  );
  return foldSession([{ event: requested, seq: 1 }]);
}

const step = (state: SessionState, command: SessionCommand) =>
  foldSession(decideSession(state, command, { meta, now: new Date(), eventId: `e${state.version}` }).map((event) => ({ event, seq: state.version + 1 })), state);

function recorder() {
  const fired: [string, DeadlineReason][] = [];
  return { fired, fire: (id: string, reason: DeadlineReason) => void fired.push([id, reason]) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('deadline timers', () => {
  it('fires the timeout at expiresAt, on real timers in milliseconds', async () => {
    const { fired, fire } = recorder();
    const deadlines = new Deadlines(60_000, fire);
    deadlines.track(session(Date.now(), 40));
    await sleep(15);
    expect(fired).toEqual([]);
    await sleep(60);
    expect(fired).toEqual([['s1', 'TIMEOUT']]);
    deadlines.clearAll();
  });

  it('fires the connect timeout unless a client connected first, and nothing once ended', async () => {
    const { fired, fire } = recorder();
    const deadlines = new Deadlines(30, fire);
    let s = session(Date.now(), 60_000);
    deadlines.track(s);
    s = step(step(s, { type: 'Schedule', nodeId: 'n1' }), { type: 'Start', nodeId: 'n1', endpoint: 'ws://x', pid: 1 });
    s = step(s, { type: 'Connect', connectionId: 'c1' });
    deadlines.track(s);
    await sleep(60);
    expect(fired).toEqual([]);
    deadlines.track(step(s, { type: 'End', reason: 'RELEASED' }));
    deadlines.clearAll();

    const other = new Deadlines(30, fire);
    other.track(session(Date.now(), 60_000));
    await sleep(60);
    expect(fired).toEqual([['s1', 'CONNECT_TIMEOUT']]);
    other.clearAll();
  });

  it('fires at once a deadline already past (a scheduler taking over late), and only once per session', async () => {
    const { fired, fire } = recorder();
    const now = Date.now();
    const deadlines = new Deadlines(60_000, fire, () => now);
    const overdue = session(now - 120_000, 60_000);
    deadlines.track(overdue);
    deadlines.track(overdue);
    await sleep(5);
    expect(fired).toEqual([['s1', 'TIMEOUT'], ['s1', 'CONNECT_TIMEOUT']]);
  });

  it('an ended session arms nothing', async () => {
    const { fired, fire } = recorder();
    const deadlines = new Deadlines(1, fire);
    deadlines.track(step(session(Date.now(), 1), { type: 'End', reason: 'RELEASED' }));
    await sleep(20);
    expect(fired).toEqual([]);
  });
});
