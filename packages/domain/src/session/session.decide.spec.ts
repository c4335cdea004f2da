import { decideSession, endsOnDisconnect, SessionRuleViolation } from './session.decide.js';
import { foldSession } from './session.evolve.js';
import { toSnapshot } from './session.snapshot.js';
import { initialSessionState, type SessionState } from './session.state.js';
import type { SessionEvent } from '@hangar/contracts';

const meta = { correlationId: 'test' };
let ids = 0;
const ctx = (now = new Date('2026-01-01T00:00:00.000Z')) => ({ meta, now, eventId: `e${++ids}` });
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
  let s = apply(initialSessionState, decideSession(initialSessionState, { type: 'Request', data: { ...request, keepAlive } }, ctx()));
  s = apply(s, decideSession(s, { type: 'Schedule', nodeId: 'n1' }, ctx()));
  return apply(s, decideSession(s, { type: 'Start', nodeId: 'n1', endpoint: 'ws://x', pid: 1 }, ctx()));
}

describe('session rules', () => {
  it('walks PENDING → RUNNING → COMPLETED with versions following the stream', () => {
    let s = apply(initialSessionState, decideSession(initialSessionState, { type: 'Request', data: request }, ctx()));
    expect(toSnapshot(s)).toMatchObject({ id: 's1', status: 'PENDING', version: 1 });
    s = apply(s, decideSession(s, { type: 'Schedule', nodeId: 'n1' }, ctx()));
    s = apply(s, decideSession(s, { type: 'Start', nodeId: 'n1', endpoint: 'ws://x', pid: 1 }, ctx()));
    expect(toSnapshot(s)).toMatchObject({ status: 'RUNNING', nodeId: 'n1', version: 3 });
    s = apply(s, decideSession(s, { type: 'End', reason: 'RELEASED' }, ctx()));
    expect(toSnapshot(s)).toMatchObject({ status: 'COMPLETED', endReason: 'RELEASED', version: 4 });
    expect(toSnapshot(s)?.endedAt).toBeDefined();
  });

  it('decides from its inputs alone: the caller gives the time and the event id', () => {
    const at = new Date('2026-05-04T03:02:01.000Z');
    const context = { meta, now: at, eventId: 'the-id' };
    const first = decideSession(initialSessionState, { type: 'Request', data: request }, context);
    expect(decideSession(initialSessionState, { type: 'Request', data: request }, context)).toEqual(first);
    expect(first[0]).toMatchObject({ id: 'the-id', occurredAt: at.toISOString(), metadata: meta });
  });

  it('derives the ended status from the reason alone', () => {
    const s = running();
    expect(decideSession(s, { type: 'End', reason: 'CONNECT_TIMEOUT' }, ctx())[0]).toMatchObject({ data: { status: 'TIMED_OUT', reason: 'CONNECT_TIMEOUT' } });
    expect(decideSession(s, { type: 'End', reason: 'NODE_LOST', detail: 'gone' }, ctx())[0]).toMatchObject({ data: { status: 'ERROR', reason: 'NODE_LOST', detail: 'gone' } });
  });

  it('refuses a second request for the same id', () => {
    const s = running();
    expect(() => decideSession(s, { type: 'Request', data: request }, ctx())).toThrow(SessionRuleViolation);
  });

  it('ends only once: the first of release, timeout and crash wins', () => {
    let s = running();
    s = apply(s, decideSession(s, { type: 'End', reason: 'TIMEOUT' }, ctx()));
    expect(decideSession(s, { type: 'End', reason: 'RELEASED' }, ctx())).toEqual([]);
    expect(decideSession(s, { type: 'RequestRelease' }, ctx())).toEqual([]);
    expect(toSnapshot(s)?.status).toBe('TIMED_OUT');
  });

  it('refuses to start a session that ended while its browser launched', () => {
    let s = apply(initialSessionState, decideSession(initialSessionState, { type: 'Request', data: request }, ctx()));
    s = apply(s, decideSession(s, { type: 'End', reason: 'RELEASED' }, ctx()));
    expect(() => decideSession(s, { type: 'Start', nodeId: 'n1', endpoint: 'ws://x', pid: 1 }, ctx())).toThrow(/ended/);
  });

  it('ends on last disconnect without keepAlive, not with it', () => {
    let s = running(false);
    s = apply(s, decideSession(s, { type: 'Connect', connectionId: 'c1' }, ctx()));
    expect(endsOnDisconnect(s)).toBe(false);
    s = apply(s, decideSession(s, { type: 'Disconnect', connectionId: 'c1' }, ctx()));
    expect(endsOnDisconnect(s)).toBe(true);

    let k = running(true);
    k = apply(k, decideSession(k, { type: 'Connect', connectionId: 'c1' }, ctx()));
    k = apply(k, decideSession(k, { type: 'Disconnect', connectionId: 'c1' }, ctx()));
    expect(endsOnDisconnect(k)).toBe(false);
  });

  it('ignores events that no longer apply (late disconnect after end)', () => {
    let s = running();
    s = apply(s, decideSession(s, { type: 'Connect', connectionId: 'c1' }, ctx()));
    const late = decideSession(s, { type: 'Disconnect', connectionId: 'c1' }, ctx());
    s = apply(s, decideSession(s, { type: 'End', reason: 'BROWSER_CRASHED' }, ctx()));
    s = apply(s, late);
    expect(toSnapshot(s)).toMatchObject({ status: 'ERROR', endReason: 'BROWSER_CRASHED', clients: 0 });
  });
  it('records an artifact while running and after the end, never for an unknown session', () => {
    const artifact = { kind: 'logs' as const, key: 'projects/p/sessions/s/logs.ndjson.gz', bytes: 10, sha256: 'a'.repeat(64) };
    expect(() => decideSession(initialSessionState, { type: 'RecordArtifact', artifact }, ctx())).toThrow(/not found/);
    let s = running();
    const [stored] = decideSession(s, { type: 'RecordArtifact', artifact }, ctx());
    expect(stored).toMatchObject({ type: 'SessionArtifactStored', data: { sessionId: s.kind === 'running' ? s.id : '', ...artifact } });
    s = apply(s, decideSession(s, { type: 'End', reason: 'RELEASED' }, ctx()));
    const ended = apply(s, decideSession(s, { type: 'RecordArtifact', artifact }, ctx()));
    expect(ended).toMatchObject({ kind: 'ended', updatedAt: s.kind === 'ended' ? s.updatedAt : '' });
    expect(ended.version).toBe(s.version + 1);
  });
});
