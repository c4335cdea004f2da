import { decideStart, SHUTTING_DOWN, type NodeSlots } from './start.decider.js';

const node = (extra: Partial<NodeSlots> = {}): NodeSlots => ({ nodeId: 'n1', phase: 'serving', maxSessions: 2, occupied: 0, ...extra });

describe('a node deciding a start', () => {
  it('launches when serving with a free slot', () => {
    expect(decideStart(node({ occupied: 1 }), 'absent', 's1')).toEqual({ kind: 'launch' });
  });

  it('refuses everything while stopping, a retry of a started session too', () => {
    expect(decideStart(node({ phase: 'stopping' }), 'absent', 's1')).toEqual({ kind: 'refuse', error: SHUTTING_DOWN });
    expect(decideStart(node({ phase: 'stopping' }), 'started', 's1')).toEqual({ kind: 'refuse', error: SHUTTING_DOWN });
  });

  it('answers a retried start with the session it started, even draining or full', () => {
    expect(decideStart(node({ phase: 'draining', occupied: 2 }), 'started', 's1')).toEqual({ kind: 'answer-started' });
  });

  it('refuses a second start of a session still starting', () => {
    expect(decideStart(node(), 'starting', 's1')).toEqual({ kind: 'refuse', error: { code: 'VALIDATION', message: 'session s1 is already starting on this node' } });
  });

  it('takes no new session while draining or full, and says where to go', () => {
    expect(decideStart(node({ phase: 'draining' }), 'absent', 's1')).toMatchObject({ kind: 'refuse', error: { code: 'NO_CAPACITY', message: expect.stringContaining('draining') } });
    expect(decideStart(node({ occupied: 2 }), 'absent', 's1')).toEqual({
      kind: 'refuse',
      error: { code: 'NO_CAPACITY', message: 'node n1 runs its maximum of 2 sessions' },
    });
  });
});
