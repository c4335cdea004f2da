import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentProject } from '../auth/current-project.decorator.js';
import type { ConnectInfo } from '../connect/public-urls.js';
import type { SessionResource } from './session.presenter.js';
import { SessionsService } from './sessions.service.js';

@Controller('v1/sessions')
@UseGuards(ApiKeyGuard)
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @HttpCode(201)
  create(@CurrentProject() projectId: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<SessionResource & ConnectInfo> {
    return this.sessions.create(projectId, body, req.id);
  }

  /** A plain array, newest first, as the SDK's `list()` expects (no pagination envelope). */
  @Get()
  list(@CurrentProject() projectId: string, @Query() query: Record<string, unknown>): Promise<SessionResource[]> {
    return this.sessions.list(projectId, query);
  }

  @Get(':id')
  retrieve(@CurrentProject() projectId: string, @Param('id') id: string): Promise<SessionResource & Partial<ConnectInfo>> {
    return this.sessions.retrieve(projectId, id);
  }

  /** Browserbase updates with POST, not PATCH: the SDK's `update()` sends exactly this. */
  @Post(':id')
  @HttpCode(200)
  update(@CurrentProject() projectId: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<SessionResource> {
    return this.sessions.update(projectId, id, body, req.id);
  }
}
