import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PublicUrls } from '../connect/public-urls.js';
import { notFound } from '../errors/api-error.js';
import { openApiDocument } from './openapi.document.js';
import { SWAGGER_UI_PAGE, swaggerUiAsset } from './swagger-ui.assets.js';

/** The API's description: the OpenAPI document and Swagger UI over it. No key needed. */
@Controller()
export class OpenApiController {
  private document: ReturnType<typeof openApiDocument> | undefined;

  constructor(private readonly urls: PublicUrls) {}

  @Get('openapi.json')
  get() {
    this.document ??= openApiDocument(this.urls.http);
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  docs() {
    return SWAGGER_UI_PAGE;
  }

  @Get('docs/:asset')
  asset(@Param('asset') name: string, @Res() reply: FastifyReply) {
    const asset = swaggerUiAsset(name);
    if (!asset) throw notFound(`docs/${name}`);
    // The files change only with the package version.
    void reply.type(asset.type).header('cache-control', 'public, max-age=86400').send(asset.stream());
  }
}
