import type { EndReason } from '@hangar/contracts';
import type { SessionState } from './session.state.js';

export type DeadlineReason = Extract<EndReason, 'TIMEOUT' | 'CONNECT_TIMEOUT'>;

/** The project's default applies only when the client asked for no timeout. */
export function sessionTimeoutSeconds(asked: number | undefined, projectDefaultSeconds: number): number {
  return asked ?? projectDefaultSeconds;
}

/**
 * When a session created at `now` (ms) times out. `secondMs` is how long one second of the
 * timeout lasts: 1000 in production, less in tests so the real timeout path runs in milliseconds.
 */
export function sessionExpiresAt(now: number, timeoutSeconds: number, secondMs = 1000): string {
  return new Date(now + timeoutSeconds * secondMs).toISOString();
}

/**
 * A session's deadlines (ms since the epoch), from its state alone, so a scheduler that replays the
 * log arms the same ones: its timeout at `expiresAt`, and until a client has connected, the connect
 * window of `connectTimeoutMs` from its creation. None once it has ended.
 */
export function sessionDeadlines(state: SessionState, connectTimeoutMs: number): Partial<Record<DeadlineReason, number>> {
  if (state.kind === 'absent' || state.kind === 'ended') return {};
  const expiry = { TIMEOUT: Date.parse(state.expiresAt) };
  if (state.kind === 'running' && state.everConnected) return expiry;
  return { ...expiry, CONNECT_TIMEOUT: Date.parse(state.createdAt) + connectTimeoutMs };
}
