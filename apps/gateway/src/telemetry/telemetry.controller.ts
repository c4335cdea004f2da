import { Controller, Get, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { TelemetryKind } from '@hangar/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentProject } from '../auth/current-project.decorator.js';
import { mintViewToken } from '../auth/view-token.js';
import { PublicUrls } from '../connect/public-urls.js';
import type { GatewayEnv } from '../env.js';
import { ApiError } from '../errors/api-error.js';
import { GATEWAY_ENV } from '../tokens.js';
import { parseReplayExpiresIn } from './replay-expires-in.js';
import type { ReplayUrl } from './replay-url.resource.js';
import { SessionTelemetryReader } from './session-telemetry.reader.js';

/**
 * `GET /v1/sessions/:id/logs` and `/recording` (the SDK's `logs.list` and `recording.retrieve`),
 * and `/replay`, which hands out a URL of the replay page for a person's browser. All behind the
 * API key; a session of another project is 404 as if it did not exist.
 */
@Controller('v1/sessions/:id')
@UseGuards(ApiKeyGuard)
export class TelemetryController {
  constructor(
    private readonly telemetry: SessionTelemetryReader,
    private readonly urls: PublicUrls,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  @Get('logs')
  logs(@CurrentProject() projectId: string, @Param('id') id: string, @Res() reply: FastifyReply) {
    return this.send(projectId, id, 'logs', reply);
  }

  @Get('recording')
  recording(@CurrentProject() projectId: string, @Param('id') id: string, @Res() reply: FastifyReply) {
    return this.send(projectId, id, 'recording', reply);
  }

  /** `{url, expiresAt}`: the replay page, its view token good for `expiresIn` seconds (default 1 h). */
  @Get('replay')
  async replay(@CurrentProject() projectId: string, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ReplayUrl> {
    const expiresIn = parseReplayExpiresIn(query.expiresIn);
    if (!expiresIn.ok) throw new ApiError('VALIDATION', expiresIn.message);
    await this.telemetry.session(projectId, id);
    const exp = Math.floor(Date.now() / 1000) + expiresIn.seconds;
    const token = mintViewToken(this.env.HANGAR_SIGNING_SECRET, { sessionId: id, projectId, scope: 'replay', exp });
    return { url: `${this.urls.http}/replay/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`, expiresAt: new Date(exp * 1000).toISOString() };
  }

  private async send(projectId: string, id: string, kind: TelemetryKind, reply: FastifyReply) {
    const session = await this.telemetry.session(projectId, id);
    const answer = await this.telemetry.answer(session, kind);
    // Where it came from, for whoever debugs a difference between a running and an ended session.
    void reply.type('application/json; charset=utf-8').headers({ 'x-hangar-telemetry-source': answer.source, 'x-content-type-options': 'nosniff' }).send(answer.body);
  }
}
