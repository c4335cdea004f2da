import { Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentProject } from '../auth/current-project.decorator.js';
import { ExtensionsService, type ExtensionResource } from './extensions.service.js';

/** `POST /v1/extensions` (multipart field `file`: a zip), `GET` and `DELETE /v1/extensions/:id`, behind the API key. */
@Controller('v1/extensions')
@UseGuards(ApiKeyGuard)
export class ExtensionsController {
  constructor(private readonly extensions: ExtensionsService) {}

  @Post()
  @HttpCode(200)
  create(@CurrentProject() projectId: string, @Req() req: FastifyRequest): Promise<ExtensionResource> {
    return this.extensions.upload(projectId, req.raw, req.id);
  }

  @Get(':id')
  retrieve(@CurrentProject() projectId: string, @Param('id') id: string): Promise<ExtensionResource> {
    return this.extensions.retrieve(projectId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentProject() projectId: string, @Param('id') id: string, @Req() req: FastifyRequest): Promise<void> {
    return this.extensions.delete(projectId, id, req.id);
  }
}
