import { sessionDeadlines, type DeadlineReason, type SessionState } from '@hangar/domain';

type Fire = (sessionId: string, reason: DeadlineReason) => void;

/**
 * Timers for a session's two deadlines (sessionDeadlines: its timeout at expiresAt, and the
 * connect window until a client connects). Armed from state changes, so a scheduler that
 * restarts and replays the log re-arms them; a deadline already past fires at once.
 */
export class Deadlines {
  private readonly timers: Record<DeadlineReason, Map<string, NodeJS.Timeout>> = { TIMEOUT: new Map(), CONNECT_TIMEOUT: new Map() };

  constructor(
    private readonly connectTimeoutMs: number,
    private readonly fire: Fire,
    private readonly now: () => number = Date.now,
  ) {}

  track(state: SessionState): void {
    if (state.kind === 'absent') return;
    const due = sessionDeadlines(state, this.connectTimeoutMs);
    for (const reason of ['TIMEOUT', 'CONNECT_TIMEOUT'] as const) {
      const at = due[reason];
      // Armed once: a later state change of the same session keeps the timer it has.
      if (at === undefined) this.clearTimer(reason, state.id);
      else if (!this.timers[reason].has(state.id)) this.timers[reason].set(state.id, this.at(at, () => this.fire(state.id, reason)));
    }
  }

  clear(sessionId: string): void {
    this.clearTimer('TIMEOUT', sessionId);
    this.clearTimer('CONNECT_TIMEOUT', sessionId);
  }

  clearAll(): void {
    for (const reason of ['TIMEOUT', 'CONNECT_TIMEOUT'] as const) for (const id of [...this.timers[reason].keys()]) this.clearTimer(reason, id);
  }

  private at(when: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(fn, Math.max(0, when - this.now()));
    timer.unref();
    return timer;
  }

  private clearTimer(reason: DeadlineReason, id: string) {
    const map = this.timers[reason];
    const t = map.get(id);
    if (t) clearTimeout(t);
    map.delete(id);
  }
}
