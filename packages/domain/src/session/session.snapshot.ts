import type { SessionSnapshot } from '@hangar/contracts';
import { assertNever, type SessionState } from './session.state.js';

/** The wire/read-model shape of a state; `undefined` for a session that does not exist. */
export function toSnapshot(state: SessionState): SessionSnapshot | undefined {
  switch (state.kind) {
    case 'absent':
      return undefined;
    case 'pending':
    case 'running':
    case 'ended': {
      const base = {
        id: state.id,
        projectId: state.projectId,
        createdAt: state.createdAt,
        updatedAt: state.updatedAt,
        expiresAt: state.expiresAt,
        keepAlive: state.keepAlive,
        region: state.region,
        userMetadata: state.userMetadata,
        contextId: state.contextId,
        nodeId: state.nodeId,
        version: state.version,
      };
      if (state.kind === 'pending') return { ...base, status: 'PENDING', startedAt: state.createdAt, clients: 0 };
      if (state.kind === 'running')
        return { ...base, status: 'RUNNING', startedAt: state.startedAt, endpoint: state.endpoint, clients: state.clients };
      return { ...base, status: state.status, startedAt: state.startedAt, endedAt: state.endedAt, endReason: state.reason, clients: 0, ...(state.proxyBytes ? { proxyBytes: state.proxyBytes } : {}) };
    }
    default:
      return assertNever(state);
  }
}
