import type { IncomingMessage } from 'node:http';
import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOGGER, type Logger } from '@hangar/runtime';
import { PublicUrls } from '../connect/public-urls.js';
import type { GatewayEnv } from '../env.js';
import { nodeRouteRequest, nodeSessionTarget } from '../nodes/node-route.client.js';
import type { SessionView } from '../sessions/session.presenter.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { GATEWAY_ENV } from '../tokens.js';
import { WebDriverAccess } from './webdriver.access.js';
import { rewriteNewSession, WebDriverRefusal } from './webdriver-answer.js';

const METHODS = new Set(['GET', 'POST', 'DELETE']);
const QUIT = /^\/session\/[^/]+$/;
/** Commands can wait on the page (implicit waits, async scripts, page loads): as long as a client's own timeouts. */
const COMMAND_TIMEOUT_MS = 300_000;

/**
 * `seleniumRemoteUrl` (`<public http>/webdriver`): the W3C WebDriver endpoints (POST /session,
 * /session/:id/…, DELETE /session/:id, GET /status) for the session the request's key names
 * (webdriver.access.ts), forwarded to that session's node (`/sessions/<id>/webdriver/…`, internal
 * token for 'webdriver' and this session only), where a chromedriver attached to the session's
 * browser answers (apps/browser-node/src/webdriver/). `driver.quit()` ends the WebDriver session
 * and then releases the browser session the normal way, unless it is keepAlive.
 */
@Controller()
export class WebDriverController {
  constructor(
    private readonly access: WebDriverAccess,
    private readonly sessions: SessionsService,
    private readonly urls: PublicUrls,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @All('webdriver')
  root(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.command(req, reply, '');
  }

  @All('webdriver/*')
  any(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.command(req, reply, `/${(req.params as Record<string, string>)['*'] ?? ''}`);
  }

  private async command(req: FastifyRequest, reply: FastifyReply, path: string): Promise<void> {
    try {
      const session = await this.access.session(req.headers);
      if (!METHODS.has(req.method)) throw new WebDriverRefusal(405, 'unknown method', `${req.method} is not a WebDriver method`);
      const answer = await this.forward(session, req.method as 'GET' | 'POST' | 'DELETE', path, req.body);
      let text = await readAll(answer);
      const ok = answer.statusCode === 200;
      if (ok && req.method === 'POST' && path === '/session') text = rewriteNewSession(text, this.urls.connectInfo(session.id).connectUrl);
      if (ok && req.method === 'DELETE' && QUIT.test(path) && !session.keepAlive) await this.release(session, req.id);
      void reply
        .code(answer.statusCode ?? 502)
        .type(answer.headers['content-type'] ?? 'application/json; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(text);
    } catch (err) {
      const refusal = err instanceof WebDriverRefusal ? err : this.unexpected(err, path);
      void reply.code(refusal.status).type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(refusal.body);
    }
  }

  private async forward(session: SessionView, method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown): Promise<IncomingMessage> {
    const target = nodeSessionTarget(session);
    if (!target) throw new WebDriverRefusal(503, 'session not created', `session ${session.id} has no browser yet; retry in a moment`);
    const payload = method === 'POST' ? Buffer.from(JSON.stringify(body ?? {})) : undefined;
    const { req, answer } = nodeRouteRequest(this.env.HANGAR_INTERNAL_SECRET, target, session.id, {
      method,
      rest: `/webdriver${path}`,
      purpose: 'webdriver',
      timeoutMs: COMMAND_TIMEOUT_MS,
      headers: payload ? { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length) } : {},
    });
    req.end(payload);
    const res = await answer.catch(() => {
      throw new WebDriverRefusal(503, 'unknown error', `the browser node of session ${session.id} cannot be reached; retry shortly`);
    });
    // The node's own refusals of its port (no running session there any more) are the session's end.
    if (res.statusCode === 404 && res.headers['x-hangar-webdriver'] !== '1') {
      res.resume();
      throw new WebDriverRefusal(404, 'invalid session id', `session ${session.id} is no longer running`);
    }
    return res;
  }

  /** quit() of a session without keepAlive ends it, through the same release as `POST /v1/sessions/:id`. */
  private async release(session: SessionView, correlationId: string): Promise<void> {
    try {
      await this.sessions.update(session.projectId, session.id, { status: 'REQUEST_RELEASE' }, correlationId);
    } catch (err) {
      // The WebDriver session has ended either way; the browser session's timeout still ends it.
      this.logger.warn({ err, sessionId: session.id }, 'could not release the session after driver.quit()');
    }
  }

  private unexpected(err: unknown, path: string): WebDriverRefusal {
    this.logger.error({ err, path }, 'webdriver command failed');
    return new WebDriverRefusal(500, 'unknown error', 'the gateway could not forward this command');
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, fail) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', fail);
  });
}
