import type { IncomingMessage } from 'node:http';
import { Controller, Get, Inject, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentProject } from '../auth/current-project.decorator.js';
import { mintViewToken } from '../auth/view-token.js';
import { PublicUrls } from '../connect/public-urls.js';
import type { GatewayEnv } from '../env.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { GATEWAY_ENV } from '../tokens.js';
import { type LiveUrls } from './live-urls.resource.js';
import { LiveViewAccess } from './live-view.access.js';
import { pageUrls, parseExpiresIn, parseLiveHttpPath, TARGET_ID, tokenExpiry } from './live-view.urls.js';
import { viewerPage } from './viewer.page.js';

interface LivePage {
  id: string;
  url: string;
  title: string;
  faviconUrl: string;
}

/**
 * `GET /v1/sessions/:id/debug` (API key) hands out the live view's URLs; the `/live/…` routes are
 * what those URLs open in a person's browser (view token in the path, no API key). The view-only
 * variant is a second URL in the same answer, `readOnlyDebuggerFullscreenUrl` (top level and per
 * page), carrying a 'live-readonly' token: that token opens the screencast only; its input is
 * dropped on the node and it is refused DevTools and CDP sockets (403).
 */
@Controller()
export class LiveViewController {
  constructor(
    private readonly access: LiveViewAccess,
    private readonly urls: PublicUrls,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  @Get('v1/sessions/:id/debug')
  @UseGuards(ApiKeyGuard)
  async debug(@CurrentProject() projectId: string, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<LiveUrls> {
    const expiresIn = parseExpiresIn(query.expiresIn);
    if (!expiresIn.ok) throw new ApiError('VALIDATION', expiresIn.message);
    const { session, node } = await this.access.running({ projectId, sessionId: id });
    const answer = await this.access.nodeGet(node, id, '/live-view/pages');
    if (answer.statusCode !== 200) {
      answer.resume();
      throw new ApiError('UNAVAILABLE', `the browser node could not list the pages of session ${id}; retry in a moment`, { 'retry-after': '1' });
    }
    const pages = (JSON.parse(await readAll(answer)) as LivePage[]).filter((p) => TARGET_ID.test(p.id));
    if (pages.length === 0) throw new ApiError('SESSION_NOT_READY', `session ${id} has no open page to view; open one and retry`, { 'retry-after': '1' });
    const exp = tokenExpiry(Date.now(), expiresIn.seconds, session.expiresAt);
    const live = mintViewToken(this.env.HANGAR_SIGNING_SECRET, { sessionId: id, projectId, scope: 'live', exp });
    const readOnly = mintViewToken(this.env.HANGAR_SIGNING_SECRET, { sessionId: id, projectId, scope: 'live-readonly', exp });
    const listed = pages.map((p) => {
      const { debuggerFullscreenUrl, debuggerUrl } = pageUrls(this.urls, id, live, p.id);
      const readOnlyDebuggerFullscreenUrl = pageUrls(this.urls, id, readOnly, p.id).debuggerFullscreenUrl;
      return { id: p.id, url: p.url, title: p.title, faviconUrl: p.faviconUrl, debuggerUrl, debuggerFullscreenUrl, readOnlyDebuggerFullscreenUrl };
    });
    const first = pageUrls(this.urls, id, live, pages[0]!.id);
    return { ...first, readOnlyDebuggerFullscreenUrl: listed[0]!.readOnlyDebuggerFullscreenUrl, pages: listed };
  }

  /** The screencast viewer (viewer.page.ts, either token) and Chromium's DevTools files (full-control token). */
  @Get('live/*')
  async live(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const rest = (req.params as Record<string, string>)['*'] ?? '';
    const path = parseLiveHttpPath(rest);
    if (!path) throw notFound(`live/${rest}`);
    if (path.kind === 'viewer') return this.viewer(path.sessionId, path.token, reply);
    return this.devtools(path.sessionId, path.token, path.file, reply);
  }

  private async viewer(sessionId: string, token: string, reply: FastifyReply) {
    const claims = this.access.verify(sessionId, token, ['live', 'live-readonly']);
    await this.access.running(claims);
    const page = viewerPage(claims.scope === 'live-readonly');
    void reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', page.csp)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .send(page.html);
  }

  private async devtools(sessionId: string, token: string, file: string, reply: FastifyReply) {
    const claims = this.access.verify(sessionId, token, ['live']);
    const { node } = await this.access.running(claims);
    const answer = await this.access.nodeGet(node, sessionId, `/live-view/devtools/${file}`);
    if (answer.statusCode !== 200) {
      answer.resume();
      throw notFound(`devtools/${file}`);
    }
    void reply
      .type(answer.headers['content-type'] ?? 'application/octet-stream')
      .header('cache-control', 'private, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      // The token is in the path: no request DevTools makes may carry it elsewhere.
      .header('referrer-policy', 'no-referrer')
      .send(answer);
  }
}

function readAll(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, fail) => {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve(body));
    stream.on('error', fail);
  });
}
