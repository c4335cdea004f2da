import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.js';
import { ApiKeysService } from './api-keys.service.js';
import { assertOwnProject } from './project-scope.js';

export type AuthenticatedRequest = FastifyRequest & { projectId: string };

/**
 * Every `/v1/*` call: `X-BB-API-Key` (Node lower-cases header names, so any casing works) names
 * the project. A `projectId` in the body or query must be that project.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly apiKeys: ApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers['x-bb-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) throw new ApiError('UNAUTHORIZED', 'the X-BB-API-Key header is required');
    const projectId = await this.apiKeys.projectIdFor(key);
    if (!projectId) throw new ApiError('UNAUTHORIZED', 'the API key in X-BB-API-Key is not valid');
    assertOwnProject((req.body as { projectId?: unknown } | undefined)?.projectId, projectId);
    assertOwnProject((req.query as { projectId?: unknown } | undefined)?.projectId, projectId);
    req.projectId = projectId;
    return true;
  }
}
