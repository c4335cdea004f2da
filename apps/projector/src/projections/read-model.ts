import type { DomainEvent } from '@hangar/contracts';
import type { Repositories } from '@hangar/db';
import { assertNever, sessionAggregate, type SessionState } from '@hangar/domain';
import { projectContextCreated, projectContextDeleted, projectContextSaved } from './contexts.projection.js';
import { projectExtensionDeleted, projectExtensionUploaded } from './extensions.projection.js';
import { projectApiKeyIssued } from './api-keys.projection.js';
import { projectNodeJoined, projectNodeLeft } from './nodes.projection.js';
import { projectProjectCreated } from './projects.projection.js';
import { projectSessions, type SessionStates } from './sessions.projection.js';

/** One event as the projector receives it: its stream sequence and subject with it. */
export interface LoggedEvent {
  event: DomainEvent;
  seq: number;
  subject: string;
}

/**
 * Applies a run of events, in stream order, to the read model inside the caller's transaction
 * (`repos` bound to it): each is stored in `events`, the others (projects, keys, nodes) are
 * applied as they come, and each session they touch gets one row write, after them, with its
 * state folded through the run. A session row therefore always equals the domain's fold of the
 * log, whether its events came one per batch or all in one: replaying the stream gives the same
 * rows. Returns the sessions' new states, for the caller to `commit` to `states` once the
 * transaction has.
 */
export async function applyToReadModel(repos: Repositories, events: readonly LoggedEvent[], states: SessionStates): Promise<Map<string, SessionState>> {
  if (events.length === 0) return new Map();
  await repos.events.appendMany(events);
  const sessionEvents: LoggedEvent[] = [];
  for (const logged of events) {
    // Folding a session event touches no table: its row is written after the run, below.
    if (sessionAggregate.accepts(logged.event)) sessionEvents.push(logged);
    else await applyOther(repos, logged.event);
  }
  return projectSessions(repos, sessionEvents, states);
}

async function applyOther(repos: Repositories, event: DomainEvent): Promise<void> {
  switch (event.type) {
    case 'SessionRequested':
    case 'SessionScheduled':
    case 'SessionStarted':
    case 'ClientConnected':
    case 'ClientDisconnected':
    case 'SessionReleaseRequested':
    case 'SessionEnded':
    case 'SessionArtifactStored':
      return;
    case 'ProjectCreated':
      return projectProjectCreated(repos, event);
    case 'ApiKeyIssued':
      return projectApiKeyIssued(repos, event);
    case 'NodeJoined':
      return projectNodeJoined(repos, event);
    case 'NodeLeft':
      return projectNodeLeft(repos, event);
    case 'ExtensionUploaded':
      return projectExtensionUploaded(repos, event);
    case 'ExtensionDeleted':
      return projectExtensionDeleted(repos, event);
    case 'ContextCreated':
      return projectContextCreated(repos, event);
    case 'ContextSaved':
      return projectContextSaved(repos, event);
    case 'ContextDeleted':
      return projectContextDeleted(repos, event);
    // A name's claim is the gateway's to check on the log; the row carries the name.
    case 'ContextNameClaimed':
    case 'ContextNameReleased':
      return;
    default:
      return assertNever(event);
  }
}
