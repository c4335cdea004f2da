import http, { type IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { isEnded } from '@hangar/domain';
import { INTERNAL_TOKEN_HEADER, mintInternalToken } from '@hangar/runtime';
import { verifyViewToken, type ViewClaims, type ViewScope } from '../auth/view-token.js';
import { upstreamTarget } from '../connect/connect-request.js';
import type { GatewayEnv } from '../env.js';
import { ApiError, notFound } from '../errors/api-error.js';
import type { SessionView } from '../sessions/session.presenter.js';
import { SessionReader } from '../sessions/session.reader.js';
import { GATEWAY_ENV } from '../tokens.js';

const REFUSALS: Record<string, string> = {
  malformed: 'the live view token in this URL is not valid; ask GET /v1/sessions/:id/debug for a new URL',
  forged: 'the live view token in this URL is not valid; ask GET /v1/sessions/:id/debug for a new URL',
  expired: 'the live view URL has expired; ask GET /v1/sessions/:id/debug for a new one',
  'wrong-session': 'the live view token in this URL is for another session',
};

export interface NodeTarget {
  host: string;
  port: number;
  /** `/sessions/<id>`, the node's prefix for this session's routes. */
  path: string;
}

/**
 * The one gate in front of every live-view URL. A view token proves one session, one scope and an
 * expiry; it is checked before anything about the session is looked up, and the session is then
 * read within the token's own project, so a token never reaches another project's session (nor
 * the API: ApiKeyGuard reads only API keys). Only RUNNING sessions are reachable; the node is
 * spoken to with an internal token for purpose 'live-view' and this session alone.
 */
@Injectable()
export class LiveViewAccess {
  constructor(
    private readonly reader: SessionReader,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  /** 401 for a bad, expired or other session's token; 403 for a view-only token where control is needed. */
  verify(sessionId: string, token: string, scopes: readonly ViewScope[]): ViewClaims {
    const check = verifyViewToken(this.env.HANGAR_SIGNING_SECRET, token, { sessionId, scopes });
    if (check.ok) return check.claims;
    if (check.reason === 'wrong-scope') throw new ApiError('FORBIDDEN', 'this live view URL is view-only: it cannot open DevTools, a CDP socket or send input');
    throw new ApiError('UNAUTHORIZED', REFUSALS[check.reason]!);
  }

  /** The running session the claims name, and its node. */
  async running(claims: Pick<ViewClaims, 'projectId' | 'sessionId'>): Promise<{ session: SessionView; node: NodeTarget }> {
    const session = await this.reader.find(claims.projectId, claims.sessionId);
    return { session: assertRunning(claims.sessionId, session), node: nodeOf(session!) };
  }

  internalHeaders(sessionId: string): Record<string, string> {
    return { [INTERNAL_TOKEN_HEADER]: mintInternalToken(this.env.HANGAR_INTERNAL_SECRET, { purpose: 'live-view', sessionId }) };
  }

  /** A GET to the node's live-view route `rest` (after `/sessions/<id>`), streamed. */
  nodeGet(node: NodeTarget, sessionId: string, rest: string): Promise<IncomingMessage> {
    return new Promise((resolve, fail) => {
      const req = http.get({ host: node.host, port: node.port, path: `${node.path}${rest}`, headers: this.internalHeaders(sessionId), timeout: 10_000 }, resolve);
      req.on('timeout', () => req.destroy(new ApiError('UNAVAILABLE', 'the browser node did not answer in time')));
      req.on('error', (err) => fail(err instanceof ApiError ? err : new ApiError('UNAVAILABLE', 'the browser node for this session is not reachable')));
    });
  }
}

export function assertRunning(sessionId: string, session: SessionView | undefined): SessionView {
  if (!session) throw notFound(`session ${sessionId}`);
  if (isEnded(session)) throw new ApiError('SESSION_ENDED', `session ${sessionId} has ended (status ${session.status}); the live view is only for running sessions`);
  if (session.status !== 'RUNNING') throw new ApiError('SESSION_NOT_READY', `session ${sessionId} is not running yet (status ${session.status}); retry in a moment`, { 'retry-after': '1' });
  return session;
}

function nodeOf(session: SessionView): NodeTarget {
  const target = session.endpoint ? upstreamTarget(session.endpoint) : undefined;
  if (!target) throw new ApiError('SESSION_NOT_READY', `session ${session.id} has no browser yet; retry in a moment`, { 'retry-after': '1' });
  return { host: target.host, port: target.port, path: target.path.replace(/\/+$/, '') };
}
