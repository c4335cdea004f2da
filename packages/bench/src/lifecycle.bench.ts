import puppeteer from 'puppeteer-core';
import { launchBaseline } from './baseline.browser.js';
import type { HangarClient } from './hangar.client.js';
import { since, summarize, type Summary } from './stats.js';

export interface StageTimes {
  totalMs: number;
  [stage: string]: number;
}

/** Create → connect → first page → goto → release, through the gateway. */
export async function hangarLifecycle(client: HangarClient, url: string, browserSettings?: Record<string, unknown>): Promise<StageTimes> {
  const t0 = performance.now();
  const session = await client.create(browserSettings ? { browserSettings } : {});
  const createMs = since(t0);
  const t1 = performance.now();
  const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
  try {
    const [page] = await browser.pages();
    if (!page) throw new Error('the session has no page');
    const connectMs = since(t1);
    const t2 = performance.now();
    await page.goto(url);
    const gotoMs = since(t2);
    const t3 = performance.now();
    // The Browserbase-style release while connected, as an SDK user ends a session: it answers
    // once the browser is gone, and the service closes the client's socket.
    await client.release(session.id);
    const releaseMs = since(t3);
    await browser.disconnect();
    return { createMs, connectMs, gotoMs, releaseMs, totalMs: since(t0) };
  } catch (err) {
    await browser.disconnect().catch(() => undefined);
    await client.release(session.id).catch(() => undefined);
    throw err;
  }
}

/** The same work with plain `puppeteer.launch` of the same Chromium and flags. */
export async function baselineLifecycle(chromePath: string, url: string): Promise<StageTimes> {
  const t0 = performance.now();
  const browser = await launchBaseline(chromePath);
  try {
    const launchMs = since(t0);
    const t1 = performance.now();
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    const pageMs = since(t1);
    const t2 = performance.now();
    await page.goto(url);
    const gotoMs = since(t2);
    const t3 = performance.now();
    await browser.close();
    return { launchMs, pageMs, gotoMs, closeMs: since(t3), totalMs: since(t0) };
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
}

export interface LifecycleResult {
  hangar: Record<string, Summary>;
  baseline: Record<string, Summary>;
}

function byStage(samples: StageTimes[]): Record<string, Summary> {
  const stages = Object.keys(samples[0] ?? { totalMs: 0 });
  return Object.fromEntries(stages.map((s) => [s, summarize(samples.map((x) => x[s]!))]));
}

/**
 * A block of Hangar iterations, then a block of baseline iterations. Before each iteration, off
 * the clock, `beforeHangar` waits until the node's warm pool is full again and the machine is
 * quiet, and `beforeBaseline` until the machine is quiet: each iteration is one user's session
 * on an otherwise idle service, which is what a latency figure describes. Back-to-back sessions,
 * where the refill is on the clock, are what the churn measurement (4) is for.
 */
export async function benchLifecycle(
  client: HangarClient,
  chromePath: string,
  url: string,
  n: number,
  warmup: number,
  beforeHangar: () => Promise<unknown>,
  beforeBaseline: () => Promise<unknown>,
): Promise<LifecycleResult> {
  const block = async (iteration: () => Promise<StageTimes>, before: () => Promise<unknown>) => {
    const samples: StageTimes[] = [];
    for (let i = 0; i < warmup + n; i++) {
      await before();
      const s = await iteration();
      if (i >= warmup) samples.push(s);
    }
    return byStage(samples);
  };
  const hangar = await block(() => hangarLifecycle(client, url), beforeHangar);
  const baseline = await block(() => baselineLifecycle(chromePath, url), beforeBaseline);
  return { hangar, baseline };
}
