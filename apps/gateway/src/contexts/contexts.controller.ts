import { All, Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ContextResource, ContextUploadInfo } from '@hangar/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentProject } from '../auth/current-project.decorator.js';
import { ApiError } from '../errors/api-error.js';
import { ContextsService } from './contexts.service.js';

/** `/v1/contexts` (SDK 2.21: create, retrieve, the deprecated update, delete), behind the API key. */
@Controller('v1/contexts')
@UseGuards(ApiKeyGuard)
export class ContextsController {
  constructor(private readonly contexts: ContextsService) {}

  @Post()
  @HttpCode(200)
  create(@CurrentProject() projectId: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<ContextUploadInfo> {
    return this.contexts.create(projectId, body, req.id);
  }

  @Get(':id')
  retrieve(@CurrentProject() projectId: string, @Param('id') id: string): Promise<ContextResource> {
    return this.contexts.retrieve(projectId, id);
  }

  /** Deprecated upstream; kept working: it changes nothing and answers the create's shape. */
  @Put(':id')
  update(@CurrentProject() projectId: string, @Param('id') id: string): Promise<ContextUploadInfo> {
    return this.contexts.uploadInfo(projectId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentProject() projectId: string, @Param('id') id: string, @Req() req: FastifyRequest): Promise<void> {
    return this.contexts.delete(projectId, id, req.id);
  }

  /**
   * The `uploadUrl` every create answers: Hangar takes no uploaded user-data-dir (upstream
   * deprecated them too), and says so here rather than accept bytes it would not use.
   */
  @All(':id/upload')
  upload(): never {
    throw new ApiError('GONE', "context uploads are not supported (deprecated upstream too): a context's profile is saved by a session created with browserSettings.context {id, persist: true}");
  }
}
