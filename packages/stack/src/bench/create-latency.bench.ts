import type { HangarClient } from './hangar.client.js';
import { since, summarize, type Summary } from './stats.js';

export interface CreateLatencyResult {
  createMs: Summary;
  releaseMs: Summary;
}

/**
 * `POST /v1/sessions` → 201, sequentially. Each 201 already means a launched Chromium (the node
 * answers once the browser is up), so this is a cold-start figure, not a pool acquire. Each
 * session is released straight after; the release is timed apart and not counted in create.
 */
export async function benchCreateLatency(client: HangarClient, n: number, warmup: number): Promise<CreateLatencyResult> {
  const creates: number[] = [];
  const releases: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const session = await client.create();
    const createMs = since(t0);
    const t1 = performance.now();
    await client.release(session.id);
    const releaseMs = since(t1);
    if (i < warmup) continue;
    creates.push(createMs);
    releases.push(releaseMs);
  }
  return { createMs: summarize(creates), releaseMs: summarize(releases) };
}
