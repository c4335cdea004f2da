import type { SessionSnapshot } from '@hangar/contracts';
import type { ConnectInfo } from '../connect/public-urls.js';
import type { SessionResource } from './session.resource.js';

/** What the gateway knows of a session: the snapshot, with its proxy bytes always a number (0 until its end counts them). */
export type SessionView = SessionSnapshot & { proxyBytes: number };

/** The Browserbase `Session` object (session.resource.ts). Internal fields (node, endpoint, version) never leave. */
export type { SessionResource } from './session.resource.js';

export function presentSession(s: SessionView): SessionResource {
  return {
    id: s.id,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    projectId: s.projectId,
    startedAt: s.startedAt,
    ...(s.endedAt ? { endedAt: s.endedAt } : {}),
    expiresAt: s.expiresAt,
    status: s.status,
    proxyBytes: s.proxyBytes,
    keepAlive: s.keepAlive,
    ...(s.contextId ? { contextId: s.contextId } : {}),
    region: s.region,
    ...(s.userMetadata ? { userMetadata: s.userMetadata } : {}),
  };
}

export const presentWithConnect = (s: SessionView, connect: ConnectInfo): SessionResource & ConnectInfo => ({ ...presentSession(s), ...connect });
