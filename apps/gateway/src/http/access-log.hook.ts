import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '@hangar/runtime';

/** Probes and scrapes arrive every few seconds from every kubelet and Prometheus: debug, not info. */
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const SESSION_ROUTE = '/v1/sessions/:id';

/** The session a request is about, when its route names one (`/v1/sessions/:id` and below). */
function sessionIdOf(req: FastifyRequest, route: string): string | undefined {
  if (route !== SESSION_ROUTE && !route.startsWith(`${SESSION_ROUTE}/`)) return undefined;
  const id = (req.params as Record<string, unknown> | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * One structured line per answered request: method, the route's pattern (never the raw URL, so
 * ids and query strings do not scatter the lines an operator greps or aggregates), status,
 * milliseconds, and the request id, which the session commands carry as their correlationId.
 * Registered before Nest adds its routes, so the not-found handler's answers are logged too.
 */
export function useAccessLog(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const level = PROBE_ROUTES.has(route) ? 'debug' : 'info';
    if (logger.isLevelEnabled(level)) {
      const sessionId = sessionIdOf(req, route);
      logger[level](
        {
          method: req.method,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 100) / 100,
          correlationId: req.id,
          ...(sessionId ? { sessionId } : {}),
        },
        'request',
      );
    }
    done();
  });
}
