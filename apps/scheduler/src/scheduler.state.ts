import type { DomainEvent } from '@hangar/contracts';
import { evolveSession, initialSessionState, isSessionEvent, RATE_WINDOW_MS, type SessionState } from '@hangar/domain';

export interface ProjectLimits {
  concurrency: number;
  defaultTimeoutSeconds: number;
  createRatePerMinute?: number | undefined;
}

type LiveSession = Exclude<SessionState, { kind: 'absent' } | { kind: 'ended' }>;

/**
 * What the scheduler must know to decide, rebuilt from the event log on every start: projects'
 * limits and every session that has not ended. Events the scheduler appended itself are applied
 * at once (so admission counts them before the log echoes them back) and the echo, carrying a
 * sequence already applied, is ignored.
 */
export class SchedulerState {
  readonly projects = new Map<string, ProjectLimits>();
  private readonly live = new Map<string, LiveSession>();
  private readonly listeners: ((before: SessionState, after: SessionState) => void)[] = [];
  /** Creation times of recent sessions per project, oldest first: the create-rate window. */
  private readonly recentCreates = new Map<string, number[]>();

  onSessionChange(listener: (before: SessionState, after: SessionState) => void) {
    this.listeners.push(listener);
  }

  apply(event: DomainEvent, seq: number): void {
    if (event.type === 'ProjectCreated') {
      this.projects.set(event.data.projectId, {
        concurrency: event.data.concurrency,
        defaultTimeoutSeconds: event.data.defaultTimeoutSeconds,
        createRatePerMinute: event.data.createRatePerMinute,
      });
      return;
    }
    if (!isSessionEvent(event)) return;
    const before: SessionState = this.live.get(event.data.sessionId) ?? initialSessionState;
    // Sessions we no longer hold have ended: a late event for one must not resurrect it.
    if (before.kind === 'absent' && event.type !== 'SessionRequested') return;
    if (seq <= before.version) return;
    this.set(before, evolveSession(before, event, seq));
  }

  /** Adopts a state the scheduler just produced through the event store. */
  adopt(state: SessionState): void {
    if (state.kind === 'absent') return;
    const before: SessionState = this.live.get(state.id) ?? initialSessionState;
    if (state.version <= before.version) return;
    this.set(before, state);
  }

  private set(before: SessionState, after: SessionState) {
    if (before.kind === 'absent' && after.kind !== 'absent') this.recordCreate(after.projectId, Date.parse(after.createdAt));
    if (after.kind === 'pending' || after.kind === 'running') this.live.set(after.id, after);
    else if (after.kind === 'ended') this.live.delete(after.id);
    for (const l of this.listeners) l(before, after);
  }

  private recordCreate(projectId: string, at: number) {
    const recent = this.recentCreates.get(projectId) ?? [];
    recent.push(at);
    // Keep a minute and a bit: the decider filters exactly; this only bounds memory.
    while (recent.length > 0 && recent[0]! < at - RATE_WINDOW_MS * 2) recent.shift();
    this.recentCreates.set(projectId, recent);
  }

  createsInProject(projectId: string): readonly number[] {
    return this.recentCreates.get(projectId) ?? [];
  }

  session(id: string): LiveSession | undefined {
    return this.live.get(id);
  }

  activeInProject(projectId: string): number {
    let n = 0;
    for (const s of this.live.values()) if (s.projectId === projectId) n++;
    return n;
  }

  loadByNode(): Map<string, number> {
    const load = new Map<string, number>();
    for (const s of this.live.values()) if (s.nodeId) load.set(s.nodeId, (load.get(s.nodeId) ?? 0) + 1);
    return load;
  }

  sessions(): IterableIterator<LiveSession> {
    return this.live.values();
  }
}
