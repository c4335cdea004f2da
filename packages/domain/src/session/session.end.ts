import type { EndReason, EndedStatus, SessionStatus } from '@hangar/contracts';

/**
 * The status an ended session reports, chosen by why it ended: the one place this is decided.
 * Callers (scheduler, node, tests) say only the reason; the End command carries nothing else.
 */
export function endStatusFor(reason: EndReason): EndedStatus {
  switch (reason) {
    case 'RELEASED':
    case 'CLIENT_DISCONNECTED':
    case 'BROWSER_CLOSED':
      return 'COMPLETED';
    case 'TIMEOUT':
    case 'CONNECT_TIMEOUT':
      return 'TIMED_OUT';
    case 'BROWSER_CRASHED':
    case 'LAUNCH_FAILED':
    case 'NODE_LOST':
    case 'NODE_RESTARTED':
    case 'NODE_UNREACHABLE':
    case 'NODE_SHUTDOWN':
      return 'ERROR';
    default:
      return exhausted(reason);
  }
}

/** Nothing happens to an ended session any more: no connect, no release, no second end. */
export function isEnded(session: { readonly status: SessionStatus }): boolean {
  switch (session.status) {
    case 'PENDING':
    case 'RUNNING':
      return false;
    case 'COMPLETED':
    case 'TIMED_OUT':
    case 'ERROR':
      return true;
    default:
      return exhausted(session.status);
  }
}

export interface BrowserExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/**
 * Why a session ends when its browser exits without being asked to: exit code 0 without a signal
 * is Chromium honouring a client's CDP `Browser.close` (Puppeteer's `browser.close()`), anything
 * else is a crash.
 */
export function endReasonForBrowserExit(exit: BrowserExit): { reason: 'BROWSER_CLOSED' | 'BROWSER_CRASHED'; detail?: string } {
  if (exit.code === 0 && exit.signal === null) return { reason: 'BROWSER_CLOSED' };
  return { reason: 'BROWSER_CRASHED', detail: `chromium exited (code ${exit.code}, signal ${exit.signal})` };
}

function exhausted(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
