import { Controller, Get, Inject } from '@nestjs/common';
import { PublicUrls } from '../connect/public-urls.js';
import { openApiDocument } from './openapi.document.js';

@Controller()
export class OpenApiController {
  private document: ReturnType<typeof openApiDocument> | undefined;

  constructor(@Inject(PublicUrls) private readonly urls: PublicUrls) {}

  @Get('openapi.json')
  get() {
    this.document ??= openApiDocument(this.urls.http);
    return this.document;
  }
}
