import type { HangarClient } from './hangar.client.js';
import { since, summarize, type Summary } from './stats.js';

export interface CreateSeries {
  createMs: Summary;
  releaseMs: Summary;
}

export interface CreateLatencyResult {
  /** Each create made once the node's warm pool is full again and the machine is quiet. */
  paced: CreateSeries & { poolNotReady: number };
  /** Creates back to back: the pool drains, and most creates pay a cold launch. */
  backToBack: CreateSeries;
}

/**
 * `POST /v1/sessions` → 201, sequentially; each session is released straight after, and the
 * release is timed apart. Each 201 means a running Chromium, so a create that finds the pool empty
 * pays a cold launch. `beforeEach` runs off the clock; it returns false when the pool did not
 * fill in time (counted: such a create may have been cold).
 */
export async function createSeries(client: HangarClient, n: number, warmup: number, beforeEach?: () => Promise<boolean>): Promise<CreateSeries & { poolNotReady: number }> {
  const creates: number[] = [];
  const releases: number[] = [];
  let poolNotReady = 0;
  for (let i = 0; i < warmup + n; i++) {
    const ready = beforeEach ? await beforeEach() : true;
    const t0 = performance.now();
    const session = await client.create();
    const createMs = since(t0);
    const t1 = performance.now();
    await client.release(session.id);
    const releaseMs = since(t1);
    if (i < warmup) continue;
    if (!ready) poolNotReady++;
    creates.push(createMs);
    releases.push(releaseMs);
  }
  return { createMs: summarize(creates), releaseMs: summarize(releases), poolNotReady };
}

export async function benchCreateLatency(client: HangarClient, n: number, warmup: number, poolReady: () => Promise<boolean>): Promise<CreateLatencyResult> {
  const paced = await createSeries(client, n, warmup, poolReady);
  await poolReady();
  const { createMs, releaseMs } = await createSeries(client, n, warmup);
  return { paced, backToBack: { createMs, releaseMs } };
}
