import { decideSession, endsOnDisconnect, SessionRuleViolation } from './session.decide.js';
import { foldSession } from './session.evolve.js';
import { toSnapshot } from './session.snapshot.js';
import { initialSessionState, type SessionState } from './session.state.js';
import type { SessionEvent } from '@hangar/contracts';

const meta = { correlationId: 'test' };
const request = {
  sessionId: 's1',
  projectId: 'p1',
  keepAlive: false,
  timeoutSeconds: 300,
  region: 'us-west-2' as const,
  expiresAt: new Date(Date.now() + 300_000).toISOString(),
  browserSettings: {},
};

function apply(state: SessionState, events: SessionEvent[]): SessionState {
  return foldSession(events.map((event, i) => ({ event, seq: state.version + i + 1 })), state);
}

function running(keepAlive = false): SessionState {
  let s = apply(initialSessionState, decideSession(initialSessionState, { type: 'Request', data: { ...request, keepAlive } }, meta));
  s = apply(s, decideSession(s, { type: 'Schedule', nodeId: 'n1' }, meta));
  return apply(s, decideSession(s, { type: 'Start', nodeId: 'n1', endpoint: 'ws://x', pid: 1 }, meta));
}

describe('session rules', () => {
  it('walks PENDING → RUNNING → COMPLETED with versions following the stream', () => {
    let s = apply(initialSessionState, decideSession(initialSessionState, { type: 'Request', data: request }, meta));
    expect(toSnapshot(s)).toMatchObject({ id: 's1', status: 'PENDING', version: 1 });
    s = apply(s, decideSession(s, { type: 'Schedule', nodeId: 'n1' }, meta));
    s = apply(s, decideSession(s, { type: 'Start', nodeId: 'n1', endpoint: 'ws://x', pid: 1 }, meta));
    expect(toSnapshot(s)).toMatchObject({ status: 'RUNNING', nodeId: 'n1', version: 3 });
    s = apply(s, decideSession(s, { type: 'End', status: 'COMPLETED', reason: 'RELEASED' }, meta));
    expect(toSnapshot(s)).toMatchObject({ status: 'COMPLETED', endReason: 'RELEASED', version: 4 });
    expect(toSnapshot(s)?.endedAt).toBeDefined();
  });

  it('refuses a second request for the same id', () => {
    const s = running();
    expect(() => decideSession(s, { type: 'Request', data: request }, meta)).toThrow(SessionRuleViolation);
  });

  it('ends only once: the first of release, timeout and crash wins', () => {
    let s = running();
    s = apply(s, decideSession(s, { type: 'End', status: 'TIMED_OUT', reason: 'TIMEOUT' }, meta));
    expect(decideSession(s, { type: 'End', status: 'COMPLETED', reason: 'RELEASED' }, meta)).toEqual([]);
    expect(decideSession(s, { type: 'RequestRelease' }, meta)).toEqual([]);
    expect(toSnapshot(s)?.status).toBe('TIMED_OUT');
  });

  it('refuses to start a session that ended while its browser launched', () => {
    let s = apply(initialSessionState, decideSession(initialSessionState, { type: 'Request', data: request }, meta));
    s = apply(s, decideSession(s, { type: 'End', status: 'COMPLETED', reason: 'RELEASED' }, meta));
    expect(() => decideSession(s, { type: 'Start', nodeId: 'n1', endpoint: 'ws://x', pid: 1 }, meta)).toThrow(/ended/);
  });

  it('ends on last disconnect without keepAlive, not with it', () => {
    let s = running(false);
    s = apply(s, decideSession(s, { type: 'Connect', connectionId: 'c1' }, meta));
    expect(endsOnDisconnect(s)).toBe(false);
    s = apply(s, decideSession(s, { type: 'Disconnect', connectionId: 'c1' }, meta));
    expect(endsOnDisconnect(s)).toBe(true);

    let k = running(true);
    k = apply(k, decideSession(k, { type: 'Connect', connectionId: 'c1' }, meta));
    k = apply(k, decideSession(k, { type: 'Disconnect', connectionId: 'c1' }, meta));
    expect(endsOnDisconnect(k)).toBe(false);
  });

  it('ignores events that no longer apply (late disconnect after end)', () => {
    let s = running();
    s = apply(s, decideSession(s, { type: 'Connect', connectionId: 'c1' }, meta));
    const late = decideSession(s, { type: 'Disconnect', connectionId: 'c1' }, meta);
    s = apply(s, decideSession(s, { type: 'End', status: 'ERROR', reason: 'BROWSER_CRASHED' }, meta));
    s = apply(s, late);
    expect(toSnapshot(s)).toMatchObject({ status: 'ERROR', endReason: 'BROWSER_CRASHED', clients: 0 });
  });
});
