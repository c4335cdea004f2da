import { pssBytes } from '@hangar/chromium';
import type { Stack } from '@hangar/stack';
import { Server as ProxyServer } from 'proxy-chain';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { BASELINE_HOW, type Row } from './targets.js';
import { launchBaseline, type BaselineMode } from './baseline.browser.js';
import type { HangarClient } from './hangar.client.js';
import { since, summarize, type Summary } from './stats.js';

/** Subresources of the measured page (issue 13: "a local page with 50 subresources"). */
export const EGRESS_SUBRESOURCES = 50;
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One side's page loads: as the page itself timed them, and as the client waited for them. */
export interface LoadTimes {
  /** Navigation Timing's `loadEventEnd` (from the navigation's start to the end of its load event): the network path alone. */
  page: Summary;
  /** `page.goto(…, {waitUntil: 'load'})` as the client saw it: the page's load plus the CDP path's commands and events (row 3's). */
  wall: Summary;
}

export interface EgressBenchResult {
  n: number;
  /** A Hangar session with no proxies: every request through its front proxy (and the egress check), direct from there. */
  hangar: LoadTimes;
  /** The same with `proxies: [external]`: front proxy → an upstream proxy on loopback. */
  hangarUpstream: LoadTimes;
  /** A session with `blockAds`: every request also paused on the node's CDP session and judged by EasyList. */
  hangarBlockAds: LoadTimes;
  /** A plain Chromium, no proxy at all. */
  baseline: LoadTimes;
  /** The browser-node process's PSS added per session holding the loaded page (its front proxy with the page's connections, the CDP splice, telemetry), MiB. */
  nodePssPerSessionMiB: number;
  heldSessions: number;
}

async function load(page: Page, url: string, round: number): Promise<{ page: number; wall: number }> {
  const t0 = performance.now();
  await page.goto(`${url}many?n=${EGRESS_SUBRESOURCES}&r=${round}`, { waitUntil: 'load' });
  const wall = since(t0);
  // (A string: the bench is compiled without the DOM's types.)
  const own = Number(await page.evaluate(`performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? NaN`));
  return { page: own, wall };
}

const firstPage = async (browser: Browser) => (await browser.pages())[0] ?? browser.newPage();

/**
 * Page loads of a local page with 50 never-cached subresources, alternating four browsers held
 * for the whole row: a Hangar session (the session's proxy path: its front proxy on the node,
 * direct from there), a Hangar session through an upstream proxy (proxy-chain on loopback), one
 * with `blockAds`, and a plain Chromium with no proxy. Then the node's memory per session holding that page.
 */
export async function benchEgress(client: HangarClient, stack: Stack, o: { chromePath: string; siteUrl: string; n: number; held: number; settle: () => Promise<unknown> }): Promise<EgressBenchResult> {
  const upstream = new ProxyServer({ port: 0, host: '127.0.0.1' });
  await upstream.listen();
  const sessions: string[] = [];
  const browsers: Browser[] = [];
  try {
    const open = async (proxies?: unknown, blockAds?: boolean) => {
      // Recording and logging off: their cost is row 7's; this row is the network path's.
      const s = await client.create({ keepAlive: true, browserSettings: { recordSession: false, logSession: false, ...(blockAds ? { blockAds } : {}) }, ...(proxies ? { proxies } : {}) });
      sessions.push(s.id);
      const b = await puppeteer.connect({ browserWSEndpoint: s.connectUrl, defaultViewport: null });
      browsers.push(b);
      return firstPage(b);
    };
    const direct = await open();
    const viaUpstream = await open([{ type: 'external', server: `http://127.0.0.1:${upstream.port}` }]);
    const blockingAds = await open(undefined, true);
    const plain = await launchBaseline(o.chromePath);
    browsers.push(plain);
    const baselinePage = await firstPage(plain);
    const sides: Array<[keyof Pick<EgressBenchResult, 'hangar' | 'hangarUpstream' | 'hangarBlockAds' | 'baseline'>, Page]> = [
      ['hangar', direct],
      ['hangarUpstream', viaUpstream],
      ['hangarBlockAds', blockingAds],
      ['baseline', baselinePage],
    ];
    // Warm-ups, off the record: each browser's first load opens its connections.
    for (const [, page] of sides) for (let w = 0; w < 3; w++) await load(page, o.siteUrl, -1 - w);
    const samples: Record<string, Array<{ page: number; wall: number }>> = { hangar: [], hangarUpstream: [], hangarBlockAds: [], baseline: [] };
    await o.settle();
    for (let i = 0; i < o.n; i++) {
      // Rotated, so no side always follows the same one.
      for (let k = 0; k < sides.length; k++) {
        const [name, page] = sides[(i + k) % sides.length]!;
        samples[name]!.push(await load(page, o.siteUrl, i));
      }
    }

    const node = stack.services.get('browser-node-1')?.process.pid;
    let perSession = Number.NaN;
    if (node !== undefined) {
      await sleep(1_000);
      const before = pssBytes(node);
      for (let i = 0; i < o.held; i++) await load(await open(), o.siteUrl, 10_000 + i);
      await sleep(2_000);
      perSession = (pssBytes(node) - before) / o.held / MiB;
    }
    return {
      n: o.n,
      hangar: times(samples.hangar!),
      hangarUpstream: times(samples.hangarUpstream!),
      hangarBlockAds: times(samples.hangarBlockAds!),
      baseline: times(samples.baseline!),
      nodePssPerSessionMiB: perSession,
      heldSessions: o.held,
    };
  } finally {
    for (const b of browsers) await (b.process() ? b.close() : b.disconnect()).catch(() => undefined);
    for (const id of sessions) await client.release(id).catch(() => undefined);
    await upstream.close(true);
  }
}

const times = (loads: Array<{ page: number; wall: number }>): LoadTimes => ({ page: summarize(loads.map((l) => l.page)), wall: summarize(loads.map((l) => l.wall)) });

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)} ms`;

/** Row 9: the proxy path against no proxy (goal p50 ≤ 1.1×), and its memory. */
export function egressRows(e: EgressBenchResult, mode: BaselineMode): Row[] {
  const ratio = e.hangar.page.p50 / e.baseline.page.p50;
  const context = (metric: string, side: LoadTimes, base: LoadTimes, pick: 'page' | 'wall'): Row => ({
    id: '9',
    metric,
    hangar: pair(side[pick]),
    baseline: pair(base[pick]),
    ratio: Math.round((side[pick].p50 / base[pick].p50) * 100) / 100,
    target: '— (context)',
    pass: null,
  });
  return [
    {
      id: '9',
      metric: `page load of a local page with ${EGRESS_SUBRESOURCES} uncached subresources as the page times it (Navigation Timing loadEventEnd), p50 / p99 (n=${e.n}, alternating): a Hangar session, recording and logging off (every request through its front proxy and the egress check); baseline a plain Chromium without a proxy (${BASELINE_HOW[mode]})`,
      hangar: pair(e.hangar.page),
      baseline: pair(e.baseline.page),
      ratio: Math.round(ratio * 100) / 100,
      target: '≤ 1.1× baseline at p50',
      pass: ratio <= 1.1,
    },
    context(`the same loads as the client waited for them (page.goto to its load event: the page's load plus the CDP path, row 3's)`, e.hangar, e.baseline, 'wall'),
    context(`the same page through an upstream proxy (proxies: [{type: "external"}], proxy-chain on loopback): front proxy → upstream → site`, e.hangarUpstream, e.baseline, 'page'),
    context(`the same page with blockAds: every request also paused on the node's CDP session and judged by EasyList (none of the ${EGRESS_SUBRESOURCES} is an ad)`, e.hangarBlockAds, e.baseline, 'page'),
    {
      id: '9',
      metric: `browser-node process PSS added per session holding that page (${e.heldSessions} sessions: its front proxy with the page's connections, the CDP splice, telemetry)`,
      hangar: Number.isFinite(e.nodePssPerSessionMiB) ? `${e.nodePssPerSessionMiB.toFixed(2)} MiB` : '—',
      baseline: '—',
      ratio: null,
      target: '— (context)',
      pass: null,
    },
  ];
}
