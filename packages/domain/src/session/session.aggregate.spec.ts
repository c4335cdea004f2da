import { NodeLeft, SessionRequested } from '@hangar/contracts';
import { sessionAggregate } from './session.aggregate.js';
import { SessionRuleViolation } from './session.decide.js';
import { foldSession } from './session.evolve.js';

const meta = { correlationId: 't' };
const requested = SessionRequested.create(
  { sessionId: 's1', projectId: 'p1', keepAlive: false, timeoutSeconds: 60, region: 'us-west-2', expiresAt: new Date().toISOString(), browserSettings: {} },
  meta,
);

describe('the session aggregate', () => {
  it('lives on the session subject and folds only session events', () => {
    expect(sessionAggregate.subject('s1')).toBe('hangar.evt.session.s1');
    const other = NodeLeft.create({ nodeId: 'n1', reason: 'LOST' }, meta);
    expect(sessionAggregate.accepts(requested)).toBe(true);
    expect(sessionAggregate.accepts(other)).toBe(false);
    const state = foldSession([
      { event: requested, seq: 3 },
      { event: other, seq: 4 },
    ]);
    expect(state).toMatchObject({ kind: 'pending', id: 's1', version: 3 });
    expect(sessionAggregate.version(state)).toBe(3);
  });

  it('decides through the session rules, whose refusals map to command errors', () => {
    const state = foldSession([{ event: requested, seq: 1 }]);
    try {
      sessionAggregate.decide(state, { type: 'Request', data: requested.data }, { meta, now: new Date(), eventId: 'x' });
      throw new Error('decided a second request');
    } catch (err) {
      expect(err).toBeInstanceOf(SessionRuleViolation);
      expect((err as SessionRuleViolation).toCommandError()).toEqual({ code: 'VALIDATION', message: 'session already exists' });
    }
    expect(new SessionRuleViolation('ENDED', 'session ended').toCommandError()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
