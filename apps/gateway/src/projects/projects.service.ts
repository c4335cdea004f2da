import { Inject, Injectable } from '@nestjs/common';
import { REPOSITORIES, type ProjectRow, type Repositories } from '@hangar/db';
import { TtlCache } from '../auth/ttl-cache.js';
import { GATEWAY_ENV } from '../tokens.js';
import type { GatewayEnv } from '../env.js';
import { notFound } from '../errors/api-error.js';
import type { ProjectResource, ProjectUsage } from './project.resource.js';

export type { ProjectResource, ProjectUsage } from './project.resource.js';

@Injectable()
export class ProjectsService {
  /** A project changes rarely, and `/v1/projects/:id` is what SDK users poll. */
  private readonly cache: TtlCache<ProjectRow>;

  constructor(
    @Inject(REPOSITORIES) private readonly repos: Repositories,
    @Inject(GATEWAY_ENV) env: GatewayEnv,
  ) {
    this.cache = new TtlCache(env.HANGAR_API_KEY_CACHE_MS, 1_000);
  }

  /** `id` must be the key's own project: any other is reported missing, never forbidden. */
  async get(ownProjectId: string, id: string = ownProjectId): Promise<ProjectResource> {
    if (id !== ownProjectId) throw notFound(`project ${id}`);
    const cached = this.cache.get(id);
    if (cached) return cached;
    const project = await this.repos.projects.findById(id);
    if (!project) throw notFound(`project ${id}`);
    this.cache.set(id, project);
    return project;
  }

  async usage(ownProjectId: string, id: string): Promise<ProjectUsage> {
    await this.get(ownProjectId, id);
    return {
      browserMinutes: await this.repos.sessions.browserMinutes(id),
      // Counted by each session's node at its end (egress/ on the browser-node).
      proxyBytes: await this.repos.sessions.proxyBytes(id),
    };
  }
}
