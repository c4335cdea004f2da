import type { CreateSessionCommand } from '@hangar/contracts';
import { admissionRefusal, placementRefusal, sessionRequest } from './admission.refusals.js';

const now = 1_700_000_000_000;
const limits = { concurrency: 2, defaultTimeoutSeconds: 300 };

describe('admission refusals', () => {
  it('admits a project under its limits', () => {
    expect(admissionRefusal({ limits, recentCreates: [], active: 1 }, now)).toBeUndefined();
  });

  it('refuses at the concurrency limit with a 429 the SDKs retry', () => {
    expect(admissionRefusal({ limits, recentCreates: [], active: 2 }, now)).toEqual({
      ok: false,
      error: {
        code: 'RATE_LIMITED',
        message: 'project concurrency limit of 2 sessions reached; release a session or retry after 1 s',
        retryAfterSeconds: 1,
        limit: 2,
        remaining: 0,
        resetSeconds: 1,
      },
    });
  });

  it('checks the create rate first, and says when the oldest create leaves the minute', () => {
    const refused = admissionRefusal({ limits: { ...limits, createRatePerMinute: 1 }, recentCreates: [now - 45_000], active: 2 }, now);
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', limit: 1, retryAfterSeconds: 15, message: expect.stringContaining('per minute') } });
  });

  it('tells a missing region from a full one', () => {
    expect(placementRefusal('NO_REGION', 'eu-central-1')).toMatchObject({ error: { code: 'NO_REGION', message: expect.stringContaining('eu-central-1') } });
    expect(placementRefusal('NO_CAPACITY', 'eu-central-1')).toMatchObject({ error: { code: 'NO_CAPACITY' } });
  });
});

describe('the requested session', () => {
  const cmd: CreateSessionCommand = { correlationId: 'c', projectId: 'p1', keepAlive: true, region: 'us-west-2', browserSettings: {} };

  it("takes the project's default timeout when the client asked none, on the scheduler's clock", () => {
    expect(sessionRequest(cmd, limits, 's1', now, 1000)).toMatchObject({
      sessionId: 's1',
      projectId: 'p1',
      keepAlive: true,
      timeoutSeconds: 300,
      expiresAt: new Date(now + 300_000).toISOString(),
    });
    expect(sessionRequest({ ...cmd, timeoutSeconds: 60 }, limits, 's1', now, 5)).toMatchObject({ timeoutSeconds: 60, expiresAt: new Date(now + 300).toISOString() });
  });
});
