import { Injectable } from '@nestjs/common';
import type { PipedConnection } from '@hangar/upgrade-proxy';
import { TtlCache } from '../auth/ttl-cache.js';

/**
 * Long enough to cover a connect that read its session as RUNNING just before the session ended
 * (the read, a PENDING wait, the upstream handshake); memory is bounded by the cache's size cap.
 */
const RECENTLY_ENDED_MS = 60_000;

/** The client connections this gateway pipes, by session: what a session's end must cut. */
@Injectable()
export class PipedConnections {
  private readonly bySession = new Map<string, Set<PipedConnection>>();
  private readonly recentlyEnded = new TtlCache<true>(RECENTLY_ENDED_MS);

  /**
   * Tracks a connection until it closes. Returns false, and cuts it, if its session has already
   * ended: a connect racing the SessionEnded event must not outlive it.
   */
  add(sessionId: string, connection: PipedConnection): boolean {
    if (this.recentlyEnded.get(sessionId)) {
      connection.close();
      return false;
    }
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(connection);
    void connection.closed.then(() => {
      set.delete(connection);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    });
    return true;
  }

  /** Cuts every connection of an ended session, and any that arrives late. Returns how many were open. */
  endSession(sessionId: string): number {
    this.recentlyEnded.set(sessionId, true);
    const set = this.bySession.get(sessionId);
    if (!set) return 0;
    this.bySession.delete(sessionId);
    for (const connection of set) connection.close();
    return set.size;
  }

  closeAll(): void {
    for (const set of this.bySession.values()) for (const connection of set) connection.close();
  }
}
