import { END_REASONS, SESSION_STATUSES, type EndReason, type EndedStatus } from '@hangar/contracts';
import { endReasonForBrowserExit, endStatusFor, isEnded } from './session.end.js';

describe('endStatusFor', () => {
  const expected: Record<EndReason, EndedStatus> = {
    RELEASED: 'COMPLETED',
    CLIENT_DISCONNECTED: 'COMPLETED',
    BROWSER_CLOSED: 'COMPLETED',
    TIMEOUT: 'TIMED_OUT',
    CONNECT_TIMEOUT: 'TIMED_OUT',
    BROWSER_CRASHED: 'ERROR',
    LAUNCH_FAILED: 'ERROR',
    NODE_LOST: 'ERROR',
    NODE_RESTARTED: 'ERROR',
    NODE_UNREACHABLE: 'ERROR',
    NODE_SHUTDOWN: 'ERROR',
  };

  it.each(END_REASONS.map((reason) => [reason, expected[reason]]))('%s ends the session %s', (reason, status) => {
    expect(endStatusFor(reason)).toBe(status);
  });
});

describe('isEnded', () => {
  it('holds for the three ended statuses only', () => {
    expect(SESSION_STATUSES.filter((status) => isEnded({ status }))).toEqual(['ERROR', 'TIMED_OUT', 'COMPLETED']);
  });
});

describe('endReasonForBrowserExit', () => {
  it('reads exit 0 without a signal as the client closing the browser', () => {
    expect(endReasonForBrowserExit({ code: 0, signal: null })).toEqual({ reason: 'BROWSER_CLOSED' });
  });

  it('reads any other exit as a crash, and says how it exited', () => {
    expect(endReasonForBrowserExit({ code: null, signal: 'SIGKILL' })).toEqual({ reason: 'BROWSER_CRASHED', detail: 'chromium exited (code null, signal SIGKILL)' });
    expect(endReasonForBrowserExit({ code: 1, signal: null })).toMatchObject({ reason: 'BROWSER_CRASHED' });
    expect(endReasonForBrowserExit({ code: 0, signal: 'SIGTERM' })).toMatchObject({ reason: 'BROWSER_CRASHED' });
  });
});
