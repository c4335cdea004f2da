import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import { INTERNAL_TOKEN_HEADER, mintInternalToken, type InternalPurpose } from '@hangar/runtime';
import { upstreamTarget } from '../connect/connect-request.js';
import { ApiError } from '../errors/api-error.js';
import type { SessionView } from '../sessions/session.presenter.js';

/** A session's routes on its node: `http://host:port/sessions/<id>`. */
export interface NodeSessionTarget {
  readonly host: string;
  readonly port: number;
  /** `/sessions/<id>`, the node's prefix for this session's routes. */
  readonly path: string;
}

/** Where the session's node serves it; undefined before the session has a browser. */
export function nodeSessionTarget(session: SessionView): NodeSessionTarget | undefined {
  const target = session.endpoint ? upstreamTarget(session.endpoint) : undefined;
  return target && { host: target.host, port: target.port, path: target.path.replace(/\/+$/, '') };
}

export interface NodeRouteRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** After `/sessions/<id>`, e.g. `/downloads`. */
  readonly rest: string;
  readonly purpose: Exclude<InternalPurpose, 'cdp'>;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
}

/**
 * One request to a node's data-plane route, with an internal token for that purpose and that
 * session alone (a node accepts nothing else). The request is handed back unsent for a body to be
 * streamed into it; `answer` settles with the node's response, or with a 503 ApiError when the
 * node cannot be reached.
 */
export function nodeRouteRequest(secret: string, target: NodeSessionTarget, sessionId: string, request: NodeRouteRequest): { req: ClientRequest; answer: Promise<IncomingMessage> } {
  const headers = { ...request.headers, [INTERNAL_TOKEN_HEADER]: mintInternalToken(secret, { purpose: request.purpose, sessionId }) };
  let req!: ClientRequest;
  const answer = new Promise<IncomingMessage>((resolve, fail) => {
    req = http.request({ host: target.host, port: target.port, method: request.method, path: `${target.path}${request.rest}`, headers, timeout: request.timeoutMs ?? 10_000 }, resolve);
    req.on('timeout', () => req.destroy(new ApiError('UNAVAILABLE', 'the browser node did not answer in time')));
    req.on('error', (err) => fail(err instanceof ApiError ? err : new ApiError('UNAVAILABLE', 'the browser node for this session is not reachable')));
  });
  return { req, answer };
}
