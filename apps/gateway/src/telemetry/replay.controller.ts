import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { verifyViewToken, type ViewTokenCheck } from '../auth/view-token.js';
import type { GatewayEnv } from '../env.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { isSessionId } from '../sessions/session-id.js';
import { GATEWAY_ENV } from '../tokens.js';
import { REPLAY_PAGE, REPLAY_PAGE_HEADERS, replayAsset } from './replay.page.js';
import { SessionTelemetryReader } from './session-telemetry.reader.js';

/** The events are the tenant's page content: never sniffed into HTML, never cached. */
const EVENTS_HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' };

const REFUSALS: Record<Exclude<ViewTokenCheck, { ok: true }>['reason'], string> = {
  malformed: 'this replay link has no valid token; ask for a new one (GET /v1/sessions/:id/replay)',
  forged: 'this replay link was not issued by this Hangar; ask for a new one (GET /v1/sessions/:id/replay)',
  expired: 'this replay link has expired; ask for a new one (GET /v1/sessions/:id/replay)',
  'wrong-session': 'this replay link is for another session',
  'wrong-scope': 'this link is not a replay link',
};

/**
 * What a replay URL opens in a person's browser, which cannot send an API key: the page, its
 * files, and the session's events. The page and the events both check the view token (scope
 * 'replay', this session, not expired); the token names the project, and the session must still
 * be found in it. The files are the same for everyone and carry nothing of a tenant's.
 */
@Controller()
export class ReplayController {
  constructor(
    private readonly telemetry: SessionTelemetryReader,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  @Get('replay/:id')
  page(@Param('id') id: string, @Query('token') token: unknown, @Res() reply: FastifyReply) {
    this.claims(id, token);
    void reply.type('text/html; charset=utf-8').headers(REPLAY_PAGE_HEADERS).send(REPLAY_PAGE);
  }

  @Get('replay/:id/events')
  async events(@Param('id') id: string, @Query('token') token: unknown, @Res() reply: FastifyReply) {
    const claims = this.claims(id, token);
    const session = await this.telemetry.session(claims.projectId, id);
    const answer = await this.telemetry.answer(session, 'recording');
    void reply.type('application/json; charset=utf-8').headers(EVENTS_HEADERS).send(answer.body);
  }

  @Get('replay-assets/:name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply) {
    const asset = replayAsset(name);
    if (!asset) throw notFound(`replay-assets/${name}`);
    void reply.type(asset.type).header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(asset.body());
  }

  private claims(id: string, token: unknown) {
    if (!isSessionId(id)) throw notFound(`session ${id}`);
    const check = verifyViewToken(this.env.HANGAR_SIGNING_SECRET, Array.isArray(token) ? undefined : token, { sessionId: id, scopes: ['replay'] });
    if (!check.ok) throw new ApiError('UNAUTHORIZED', REFUSALS[check.reason]);
    return check.claims;
  }
}
