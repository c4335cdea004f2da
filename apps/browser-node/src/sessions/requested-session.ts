import { subjects, type BrowserSettings, type ProxySetting, type StartSessionCommand } from '@hangar/contracts';
import type { EventStore, StoredEvent } from '@hangar/messaging';
import { foldSession, type SessionState } from '@hangar/domain';

export interface RequestedSession {
  /** What to launch, as SessionRequested recorded it. */
  browserSettings: BrowserSettings;
  /** The session's project, as SessionRequested recorded it. */
  projectId: string;
  /** Its `proxies`, as SessionRequested recorded them (the rules are compiled on the node: egress/). */
  proxies?: ProxySetting;
  /** The session folded from the events in hand: the Start appends on top of it without a read. */
  known: SessionState;
}

/**
 * The settings travel once, in SessionRequested. The scheduler hands it over in `history`; a
 * start without it (a test, or another writer) costs one read of the log, before the launch.
 * Undefined: the session was never requested.
 */
export async function requestedSession(command: StartSessionCommand, store: EventStore): Promise<RequestedSession | undefined> {
  const handed = command.history ?? [];
  const events: readonly StoredEvent[] = handed.some((e) => e.event.type === 'SessionRequested')
    ? handed
    : await store.read(subjects.sessionEvents(command.sessionId));
  for (const { event } of events) {
    if (event.type === 'SessionRequested') {
      const { browserSettings, projectId, proxies } = event.data;
      return { browserSettings, projectId, ...(proxies !== undefined ? { proxies } : {}), known: foldSession(events) };
    }
  }
  return undefined;
}
