import type { EndReason } from '@hangar/contracts';
import type { SessionState } from '@hangar/domain';

type Fire = (sessionId: string, reason: Extract<EndReason, 'TIMEOUT' | 'CONNECT_TIMEOUT'>) => void;

/**
 * A session's two deadlines: its timeout (expiresAt) and the connect window (nobody connected
 * within `connectTimeoutMs` of creation). Armed from state changes, so a scheduler that
 * restarts and replays the log re-arms them; a deadline already past fires at once.
 */
export class Deadlines {
  private readonly expiry = new Map<string, NodeJS.Timeout>();
  private readonly connect = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connectTimeoutMs: number,
    private readonly fire: Fire,
    private readonly now: () => number = Date.now,
  ) {}

  track(_before: SessionState, after: SessionState): void {
    if (after.kind === 'absent') return;
    if (after.kind === 'ended') return this.clear(after.id);
    if (!this.expiry.has(after.id)) {
      this.expiry.set(after.id, this.at(Date.parse(after.expiresAt), () => this.fire(after.id, 'TIMEOUT')));
    }
    const connected = after.kind === 'running' && after.everConnected;
    if (connected) this.clearTimer(this.connect, after.id);
    else if (!this.connect.has(after.id)) {
      this.connect.set(after.id, this.at(Date.parse(after.createdAt) + this.connectTimeoutMs, () => this.fire(after.id, 'CONNECT_TIMEOUT')));
    }
  }

  clear(sessionId: string): void {
    this.clearTimer(this.expiry, sessionId);
    this.clearTimer(this.connect, sessionId);
  }

  clearAll(): void {
    for (const id of [...this.expiry.keys(), ...this.connect.keys()]) this.clear(id);
  }

  private at(when: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(fn, Math.max(0, when - this.now()));
    timer.unref();
    return timer;
  }

  private clearTimer(map: Map<string, NodeJS.Timeout>, id: string) {
    const t = map.get(id);
    if (t) clearTimeout(t);
    map.delete(id);
  }
}
