import { Inject, Injectable } from '@nestjs/common';
import { REPOSITORIES, type Repositories } from '@hangar/db';
import { hashApiKey } from '@hangar/domain';
import { GATEWAY_ENV } from '../tokens.js';
import type { GatewayEnv } from '../env.js';
import { TtlCache } from './ttl-cache.js';

/**
 * API key → project. Hits are cached briefly, so the hot path (every REST call, every connect)
 * does not wait on Postgres; misses are not, so a key issued a moment ago works at once.
 */
@Injectable()
export class ApiKeysService {
  private readonly cache: TtlCache<string>;

  constructor(
    @Inject(REPOSITORIES) private readonly repos: Repositories,
    @Inject(GATEWAY_ENV) env: GatewayEnv,
  ) {
    this.cache = new TtlCache(env.HANGAR_API_KEY_CACHE_MS);
  }

  async projectIdFor(apiKey: string): Promise<string | undefined> {
    const hash = hashApiKey(apiKey);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const projectId = await this.repos.apiKeys.projectIdForHash(hash);
    if (projectId) this.cache.set(hash, projectId);
    return projectId;
  }
}
