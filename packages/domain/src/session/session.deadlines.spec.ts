import { decideSession, type DecisionContext, type SessionCommand } from './session.decide.js';
import { sessionDeadlines, sessionExpiresAt, sessionTimeoutSeconds } from './session.deadlines.js';
import { foldSession } from './session.evolve.js';
import { initialSessionState, type SessionState } from './session.state.js';

const created = new Date('2026-03-01T10:00:00.000Z');
const ctx: DecisionContext = { meta: { correlationId: 't' }, now: created, eventId: 'e' };
const step = (state: SessionState, command: SessionCommand) =>
  foldSession(decideSession(state, command, ctx).map((event) => ({ event, seq: state.version + 1 })), state);

function pending(): SessionState {
  const data = {
    sessionId: 's1',
    projectId: 'p1',
    keepAlive: false,
    timeoutSeconds: 300,
    region: 'us-west-2' as const,
    expiresAt: sessionExpiresAt(created.getTime(), 300),
    browserSettings: {},
  };
  return step(initialSessionState, { type: 'Request', data });
}

describe('session deadlines', () => {
  it('applies the project default only when no timeout was asked', () => {
    expect(sessionTimeoutSeconds(undefined, 600)).toBe(600);
    expect(sessionTimeoutSeconds(120, 600)).toBe(120);
  });

  it('expires the timeout later by its seconds, on a clock tests can shrink', () => {
    expect(sessionExpiresAt(created.getTime(), 300)).toBe('2026-03-01T10:05:00.000Z');
    expect(sessionExpiresAt(created.getTime(), 300, 2)).toBe('2026-03-01T10:00:00.600Z');
  });

  it('has both deadlines until a client connects, then only the timeout', () => {
    const p = pending();
    const expiry = Date.parse('2026-03-01T10:05:00.000Z');
    expect(sessionDeadlines(p, 30_000)).toEqual({ TIMEOUT: expiry, CONNECT_TIMEOUT: created.getTime() + 30_000 });
    const running = step(step(p, { type: 'Schedule', nodeId: 'n1' }), { type: 'Start', nodeId: 'n1', endpoint: 'ws://x', pid: 1 });
    expect(sessionDeadlines(running, 30_000)).toHaveProperty('CONNECT_TIMEOUT');
    const connected = step(running, { type: 'Connect', connectionId: 'c1' });
    expect(sessionDeadlines(connected, 30_000)).toEqual({ TIMEOUT: expiry });
    // A disconnect does not re-open the connect window.
    expect(sessionDeadlines(step(connected, { type: 'Disconnect', connectionId: 'c1' }), 30_000)).toEqual({ TIMEOUT: expiry });
  });

  it('has none once ended, or for a session that does not exist', () => {
    expect(sessionDeadlines(step(pending(), { type: 'End', reason: 'RELEASED' }), 30_000)).toEqual({});
    expect(sessionDeadlines(initialSessionState, 30_000)).toEqual({});
  });
});
