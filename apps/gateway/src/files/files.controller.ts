import { Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentProject } from '../auth/current-project.decorator.js';
import { notFound } from '../errors/api-error.js';
import { isSessionId } from '../sessions/session-id.js';
import { SessionDownloads } from './session-downloads.service.js';
import { SessionUploads, type UploadAnswer } from './session-uploads.service.js';

/**
 * `GET /v1/sessions/:id/downloads` (the SDK's `downloads.list`: the raw zip) and
 * `POST /v1/sessions/:id/uploads` (`uploads.create`: multipart field `file`), behind the API key.
 */
@Controller('v1/sessions/:id')
@UseGuards(ApiKeyGuard)
export class FilesController {
  constructor(
    private readonly downloads: SessionDownloads,
    private readonly uploads: SessionUploads,
  ) {}

  @Get('downloads')
  async list(@CurrentProject() projectId: string, @Param('id') id: string, @Res() reply: FastifyReply) {
    if (!isSessionId(id)) throw notFound(`session ${id}`);
    const zip = await this.downloads.zip(projectId, id);
    // The files are what the tenant's pages downloaded: never sniffed, never cached on the way.
    void reply
      .type('application/zip')
      .headers({ 'content-disposition': `attachment; filename="${id}-downloads.zip"`, 'x-hangar-downloads': zip.source, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
      .send(zip.body);
  }

  @Post('uploads')
  @HttpCode(200)
  create(@CurrentProject() projectId: string, @Param('id') id: string, @Req() req: FastifyRequest): Promise<UploadAnswer> {
    if (!isSessionId(id)) throw notFound(`session ${id}`);
    return this.uploads.upload(projectId, id, req.raw);
  }
}
