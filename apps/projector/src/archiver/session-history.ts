import { BROWSER_SETTING_DEFAULTS, subjects, type SessionArtifactKind, type TelemetryKind } from '@hangar/contracts';
import type { EventStore } from '@hangar/messaging';

/** What the archiver needs to know about an ended session, from its own events. */
export interface EndedSession {
  readonly sessionId: string;
  readonly projectId: string;
  /** ms since the epoch. */
  readonly startedAt: number | undefined;
  readonly endedAt: number;
  /** Whether its node records this kind at all (browserSettings.logSession / recordSession). */
  readonly captures: Readonly<Record<TelemetryKind, boolean>>;
  /** Kinds already recorded by SessionArtifactStored: an earlier archiving got that far. */
  readonly archived: ReadonlySet<SessionArtifactKind>;
}

/** undefined: no SessionRequested (nothing to archive under) or no SessionEnded yet. */
export async function readEndedSession(store: EventStore, sessionId: string): Promise<EndedSession | undefined> {
  let projectId: string | undefined;
  let startedAt: number | undefined;
  let endedAt: number | undefined;
  const captures = { logs: BROWSER_SETTING_DEFAULTS.logSession as boolean, recording: BROWSER_SETTING_DEFAULTS.recordSession as boolean };
  const archived = new Set<SessionArtifactKind>();
  for (const { event } of await store.read(subjects.sessionEvents(sessionId))) {
    switch (event.type) {
      case 'SessionRequested':
        projectId = event.data.projectId;
        captures.logs = event.data.browserSettings.logSession ?? captures.logs;
        captures.recording = event.data.browserSettings.recordSession ?? captures.recording;
        break;
      case 'SessionStarted':
        startedAt ??= Date.parse(event.occurredAt);
        break;
      case 'SessionEnded':
        endedAt ??= Date.parse(event.occurredAt);
        break;
      case 'SessionArtifactStored':
        archived.add(event.data.kind);
        break;
      default:
        break;
    }
  }
  if (!projectId || endedAt === undefined) return undefined;
  return { sessionId, projectId, startedAt, endedAt, captures, archived };
}
