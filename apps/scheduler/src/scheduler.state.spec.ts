import { ClientConnected, ProjectCreated, SessionEnded, SessionRequested, SessionScheduled, SessionStarted, type DomainEvent } from '@hangar/contracts';
import type { SessionState } from '@hangar/domain';
import { SchedulerState } from './scheduler.state.js';

const meta = { correlationId: 't' };
const at = new Date('2026-02-01T12:00:00.000Z');
const requested = (sessionId: string, projectId = 'p1') =>
  SessionRequested.create(
    { sessionId, projectId, keepAlive: false, timeoutSeconds: 60, region: 'us-west-2', expiresAt: new Date(at.getTime() + 60_000).toISOString(), browserSettings: {} },
    meta,
    { at },
  );

function replay(state: SchedulerState, events: DomainEvent[], from = 1) {
  events.forEach((event, i) => state.apply(event, from + i));
}

describe('the scheduler state', () => {
  it("keeps projects' limits and counts each project's live sessions and each node's load", () => {
    const state = new SchedulerState();
    replay(state, [
      ProjectCreated.create({ projectId: 'p1', name: 'p', ownerId: 'o', concurrency: 3, defaultTimeoutSeconds: 300, createRatePerMinute: 10 }, meta),
      requested('a'),
      SessionScheduled.create({ sessionId: 'a', nodeId: 'n1' }, meta),
      requested('b'),
      SessionScheduled.create({ sessionId: 'b', nodeId: 'n1' }, meta),
      requested('c', 'p2'),
      SessionScheduled.create({ sessionId: 'c', nodeId: 'n2' }, meta),
    ]);
    expect(state.projects.get('p1')).toEqual({ concurrency: 3, defaultTimeoutSeconds: 300, createRatePerMinute: 10 });
    expect(state.activeInProject('p1')).toBe(2);
    expect(state.loadByNode()).toEqual(new Map([['n1', 2], ['n2', 1]]));
    expect(state.createsInProject('p1')).toEqual([at.getTime(), at.getTime()]);

    state.apply(SessionEnded.create({ sessionId: 'a', status: 'COMPLETED', reason: 'RELEASED' }, meta), 8);
    expect(state.activeInProject('p1')).toBe(1);
    expect(state.session('a')).toBeUndefined();
    // Ending frees the slot, not the create-rate window.
    expect(state.createsInProject('p1')).toHaveLength(2);
  });

  it('ignores the echo of what it adopted, and late events of ended sessions', () => {
    const state = new SchedulerState();
    const changes: [SessionState['kind'], SessionState['kind']][] = [];
    state.onSessionChange((before, after) => changes.push([before.kind, after.kind]));
    replay(state, [requested('a'), SessionScheduled.create({ sessionId: 'a', nodeId: 'n1' }, meta), SessionStarted.create({ sessionId: 'a', nodeId: 'n1', endpoint: 'ws://x', pid: 1 }, meta)]);
    const running = state.session('a')!;
    state.apply(SessionStarted.create({ sessionId: 'a', nodeId: 'n1', endpoint: 'ws://x', pid: 1 }, meta), 3);
    expect(state.session('a')).toBe(running);

    state.apply(SessionEnded.create({ sessionId: 'a', status: 'ERROR', reason: 'NODE_LOST' }, meta), 4);
    state.apply(ClientConnected.create({ sessionId: 'a', connectionId: 'c', clients: 1 }, meta), 5);
    expect(state.session('a')).toBeUndefined();
    expect(changes).toEqual([
      ['absent', 'pending'],
      ['pending', 'pending'],
      ['pending', 'running'],
      ['running', 'ended'],
    ]);
  });
});
